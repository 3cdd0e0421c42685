using System.Globalization;

namespace FastNN.Cli.Training;

/// <summary>One network of the gradient-flow experiment: its activation, initialization and the one remedy it tries.</summary>
/// <param name="Name">How tables and plots name it.</param>
/// <param name="Activation">The hidden activation.</param>
/// <param name="Init"><c>default</c> (PyTorch's nn.Linear), <c>xavier</c> or <c>he</c>.</param>
/// <param name="Residual">Each hidden layer inside a residual block.</param>
/// <param name="BatchNorm">BatchNorm1d after each hidden Dense layer.</param>
/// <param name="Dropout">Dropout probability after each activation.</param>
/// <param name="L2">λ of an L2 penalty λ/2·Σw² on the weights, added to the loss.</param>
internal sealed record FlowVariant(string Name, string Activation, string Init, bool Residual = false, bool BatchNorm = false, double Dropout = 0, double L2 = 0)
{
    /// <summary>
    /// The variants the experiment compares: the classic vanishing case (sigmoid at PyTorch's default initialization), the
    /// initializations made for each activation, the structural remedies (residual blocks, batch norm), and the two
    /// regularizers often said to help (dropout, an L2 penalty), each on the failing sigmoid network.
    /// </summary>
    public static IReadOnlyList<FlowVariant> All { get; } =
    [
        new("sigmoid, default init", "sigmoid", "default"),
        new("sigmoid, Xavier", "sigmoid", "xavier"),
        new("tanh, Xavier", "tanh", "xavier"),
        new("ReLU, He", "relu", "he"),
        new("ReLU, He, residual", "relu", "he", Residual: true),
        new("ReLU, default init, batch norm", "relu", "default", BatchNorm: true),
        new("sigmoid, default init, dropout 0.2", "sigmoid", "default", Dropout: 0.2),
        new("sigmoid, default init, L2 1e-3", "sigmoid", "default", L2: 1e-3),
    ];

    /// <summary>
    /// <see cref="All"/> as run with the penalty of <c>--l2</c> (λ = <paramref name="l2"/>), which applies to every variant:
    /// the L2 variant's name then says that its λ is the sum.
    /// </summary>
    public static IReadOnlyList<FlowVariant> With(double l2) => l2 == 0 ? All
        : All.Select(v => v.L2 > 0 ? v with { Name = string.Create(CultureInfo.InvariantCulture, $"{v.Name} + --l2 {l2:R}") } : v).ToArray();

    /// <summary>The network of <paramref name="depth"/> hidden layers of <paramref name="width"/>.</summary>
    public ModelSettings Model(int depth, int width) =>
        new(Enumerable.Repeat(width, depth).ToArray(), Activation, Dropout, BatchNorm, LayerNorm: false, Residual, Init);
}
