using System.CommandLine;
using System.Globalization;
using FastNN.Cli.Options;
using FastNN.Gradients;
using FastNN.Layers;
using FastNN.Losses;
using Spectre.Console;

namespace FastNN.Cli.Commands;

/// <summary>
/// <c>fastnn gradcheck</c>: <see cref="GradientCheck"/> on every built-in layer (in training and, where it differs,
/// evaluation mode) and every loss, in double precision; a table of worst errors, exit 1 if any fails.
/// </summary>
internal static class GradcheckCommand
{
    private const int Batch = 4, Width = 5;

    private sealed record Case(string Name, Func<GradientCheckResult> Check);

    public static Command Create(CliConsole console)
    {
        var seed = new Option<int>("--seed") { Description = "Seed of the random inputs, targets and parameters. Default 0.", HelpName = "N" };
        var command = new Command("gradcheck",
            "Check the analytic gradients of every built-in layer and loss against central finite differences (double precision, torch.autograd.gradcheck's tolerances); exit 1 if any fails.")
        {
            seed,
        };
        command.SetAction(parse => Fastnn.Guard(console, () => Run(console, OptionValues.AtLeast(parse.GetValue(seed), 0, "--seed"))));
        return command;
    }

    private static int Run(CliConsole console, int seed)
    {
        var table = new Table()
            .AddColumn(new TableColumn("check").NoWrap())
            .AddColumn(new TableColumn("elements").RightAligned())
            .AddColumn(new TableColumn("worst element").NoWrap())
            .AddColumns(new TableColumn("error").RightAligned(), new TableColumn("tolerance").RightAligned(), new TableColumn("ratio").RightAligned(), new TableColumn("result"));
        int failed = 0;
        foreach (Case check in Cases(seed))
        {
            GradientCheckResult r = check.Check();
            failed += r.Passed ? 0 : 1;
            table.AddRow(Markup.Escape(check.Name), r.CheckedElements.ToString(CultureInfo.InvariantCulture), Markup.Escape($"{r.WorstTensor}{r.WorstIndex}"),
                Scientific(r.Error), Scientific(r.Tolerance), Scientific(r.Error / r.Tolerance), r.Passed ? "pass" : "FAIL");
        }
        console.Write(table);
        console.Line("Columns: error is |analytic − numeric| at the worst element; tolerance is atol + rtol·|numeric| there; ratio is error / tolerance (a check passes when every element's ratio is at most 1).");
        console.Line(failed == 0
            ? string.Create(CultureInfo.InvariantCulture,
                $"every gradient matches its finite difference (eps {GradientCheckOptions.Default.Epsilon:G}, atol {GradientCheckOptions.Default.AbsoluteTolerance:G}, rtol {GradientCheckOptions.Default.RelativeTolerance:G})")
            : $"{failed} check(s) FAILED");
        return failed == 0 ? ExitCode.Success : ExitCode.Failure;
    }

    private static string Scientific(double value) => value.ToString("0.00e+00", CultureInfo.InvariantCulture);

    private static IEnumerable<Case> Cases(int seed)
    {
        var random = new Random(seed);
        // Inputs keep |x| ≥ 0.1 so no element sits within the finite-difference step of a kink (ReLU, leaky ReLU, PReLU at 0).
        double[] Input(int n) => Enumerable.Range(0, n).Select(_ => (random.NextDouble() < 0.5 ? -1 : 1) * (0.1 + 1.4 * random.NextDouble())).ToArray();
        double[] Values(int n) => Enumerable.Range(0, n).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        var training = GradientCheckOptions.Default with { Seed = (ulong)seed };
        var evaluation = training with { Training = false };

        Case Layer(string name, ILayer<double> layer, GradientCheckOptions? options = null)
        {
            double[] x = Input(Batch * layer.InputSize), target = Values(Batch * layer.OutputSize);
            return new Case(name, () => GradientCheck.Check(layer, x, Batch, new MseLoss<double>(), target, options ?? training));
        }

        Case Loss(string name, ILoss<double> loss, int features, double[] target)
        {
            double[] prediction = Values(Batch * features);
            return new Case(name, () => GradientCheck.CheckLoss(loss, prediction, target, Batch, training));
        }

        yield return Layer("Dense", new Dense<double>(Width, 3));
        yield return Layer("Dense, no bias", new Dense<double>(Width, 3, bias: false));
        yield return Layer("Sigmoid", new Sigmoid<double>(Width));
        yield return Layer("Tanh", new Tanh<double>(Width));
        yield return Layer("ReLU", new Relu<double>(Width));
        yield return Layer("LeakyReLU", new LeakyRelu<double>(Width, 0.1));
        yield return Layer("PReLU, one slope", new PRelu<double>(Width));
        yield return Layer("PReLU, a slope per feature", new PRelu<double>(Width, Width));
        yield return Layer("ELU", new Elu<double>(Width));
        yield return Layer("GELU (erf)", new Gelu<double>(Width));
        yield return Layer("GELU (tanh approximation)", new Gelu<double>(Width, tanhApproximation: true));
        yield return Layer("SiLU", new Silu<double>(Width));
        yield return Layer("Softplus", new Softplus<double>(Width));
        yield return Layer("Softmax", new Softmax<double>(Width));
        yield return Layer("LogSoftmax", new LogSoftmax<double>(Width));
        yield return Layer("Dropout p = 0.3 (one fixed mask)", new Dropout<double>(Width, 0.3));
        yield return Layer("BatchNorm1d (training)", new BatchNorm1d<double>(Width));
        yield return Layer("BatchNorm1d (evaluation)", new BatchNorm1d<double>(Width), evaluation);
        yield return Layer("LayerNorm", new LayerNorm<double>(Width));
        yield return Layer("Residual x + tanh(Dense x)", new Residual<double>(new Dense<double>(Width, Width), new Tanh<double>(Width)));
        yield return Layer("Residual with projection (5 → 3)", new Residual<double>(new Dense<double>(Width, 3), new Tanh<double>(3)));
        yield return Layer("Concat [x, SiLU(Dense x)]", new Concat<double>(new Dense<double>(Width, 3), new Silu<double>(3)));
        yield return Loss("MSE loss", new MseLoss<double>(), 3, Values(Batch * 3));
        yield return Loss("Huber loss (δ = 1)", new HuberLoss<double>(), 3, Values(Batch * 3).Select(v => 3 * v).ToArray());
        yield return Loss("BCE with logits loss", new BceWithLogitsLoss<double>(), 1, Values(Batch).Select(v => (v + 1) / 2).ToArray());
        yield return Loss("Softmax cross-entropy loss", new SoftmaxCrossEntropyLoss<double>(), 3, Enumerable.Range(0, Batch).Select(i => (double)(i % 3)).ToArray());
    }
}
