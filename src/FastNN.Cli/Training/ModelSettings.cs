namespace FastNN.Cli.Training;

/// <summary>The network: hidden widths, activation, normalization, dropout, residual blocks, initialization.</summary>
/// <param name="Layers">Hidden layer widths, input side first; empty for a linear model.</param>
/// <param name="Activation">The activation after each hidden layer (a name of <see cref="Activations.Names"/>).</param>
/// <param name="Dropout">Dropout probability after each activation (0: none).</param>
/// <param name="BatchNorm">BatchNorm1d after each hidden Dense layer.</param>
/// <param name="LayerNorm">LayerNorm after each hidden Dense layer.</param>
/// <param name="Residual">Wrap each hidden block in a residual connection.</param>
/// <param name="Init">Weight initialization: <c>default</c> (PyTorch's nn.Linear), <c>xavier</c> or <c>he</c>.</param>
internal sealed record ModelSettings(int[] Layers, string Activation, double Dropout, bool BatchNorm, bool LayerNorm, bool Residual, string Init);
