using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using FastNN.Benchmarks.Baselines;
using FastNN.Intrinsics;

namespace FastNN.Benchmarks.Elementwise;

/// <summary>
/// One element-wise kernel over float spans of one length, named <c>case-LENGTH</c> (<c>add-16K</c>, <c>sigmoid-4M</c>):
/// the cheap, memory-bound operators through the library's drivers (add, multiply, ReLU and its derivative, scale) and
/// compute-bound ones (sigmoid, tanh, GELU, the BCE-with-logits loss), plus <c>sweep-add</c>, a hand-written four-vector
/// add (<see cref="HandWrittenSweep"/>) that the drivers must match.
/// </summary>
/// <remarks>
/// Lengths 1K (three 4 KB spans: L1), 16K (192 KB: L2), 256K (3 MB: L3) and 4M (48 MB: memory). Every span starts on a
/// 4 KB page boundary plus <c>+N</c> elements when the name ends so (<c>add-16K+1</c>), from pinned arrays that never move:
/// so two builds' workloads in one process differ in their code only, not in how their spans fall on cache sets and
/// pages relative to each other (which moved a ReLU 10-15 % between two allocations of the same code).
/// Inputs ~ N(0, 1) scaled by 3, so every branch of every activation is taken.
/// </remarks>
public sealed class ElementwiseWorkload
{
    /// <summary>The kernels.</summary>
    public static readonly string[] Cases =
        ["add", "add-inplace", "sweep-add", "multiply", "relu", "relu-bwd", "scale", "sigmoid", "sigmoid-bwd", "tanh", "gelu", "bce"];

    /// <summary>The lengths, by name.</summary>
    public static readonly (string Name, int Length)[] Lengths = [("1K", 1 << 10), ("16K", 1 << 14), ("256K", 1 << 18), ("4M", 1 << 22)];

    /// <summary>Every workload name: each case at each length, aligned, then the cheap ones one element off.</summary>
    public static IEnumerable<string> Names =>
        Cases.SelectMany(c => Lengths.Select(l => $"{c}-{l.Name}"))
            .Concat(new[] { "add", "sweep-add", "relu", "scale" }.SelectMany(c => Lengths.Select(l => $"{c}-{l.Name}+1")));

    private ElementwiseWorkload(int length, int spans, Action run)
    {
        Length = length;
        Bytes = (double)spans * length * sizeof(float);
        Run = run;
    }

    /// <summary>Elements per span.</summary>
    public int Length { get; }

    /// <summary>The bytes the kernel must read and write once (its spans times their length).</summary>
    public double Bytes { get; }

    /// <summary>One call.</summary>
    public Action Run { get; }

    /// <summary>Builds the workload named <paramref name="name"/> (see <see cref="Names"/>).</summary>
    public static ElementwiseWorkload Create(string name)
    {
        int offset = 0, plus = name.IndexOf('+');
        if (plus >= 0)
        {
            offset = int.Parse(name[(plus + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            name = name[..plus];
        }
        int dash = name.LastIndexOf('-');
        string @case = name[..dash];
        int length = Lengths.Single(l => l.Name == name[(dash + 1)..]).Length;
        var random = new Random(0);
        ArraySegment<float> xs = Span(random, length, offset, 3), ys = Span(random, length, offset, 1), ds = Span(random, length, offset, 0);
        ArraySegment<float> ts = Span(random, length, offset, 0);
        for (int i = 0; i < length; i++)
            ts[i] = (float)random.NextDouble();
        return @case switch
        {
            "add" => new(length, 3, () => Arithmetic.Add<float>(xs, ys, ds)),
            "add-inplace" => new(length, 3, () => Arithmetic.Add<float>(ds, ys, ds)),
            "sweep-add" => new(length, 3, () => HandWrittenSweep.Add(xs, ys, ds)),
            "multiply" => new(length, 3, () => FastNN.Intrinsics.Elementwise.Map<float, ProductOperator>(xs, ys, ds, default)),
            "relu" => new(length, 2, () => Activations.Relu<float>(xs, ds)),
            "relu-bwd" => new(length, 3, () => Activations.ReluBackward<float>(xs, ys, ds)),
            "scale" => new(length, 2, () => FastNN.Intrinsics.Elementwise.Map<float, ScaleOperator<float>>(xs, ds, new ScaleOperator<float>(0.5f))),
            "sigmoid" => new(length, 2, () => Activations.Sigmoid<float>(xs, ds)),
            "sigmoid-bwd" => new(length, 3, () => Activations.SigmoidBackward<float>(xs, ys, ds)),
            "tanh" => new(length, 2, () => Activations.Tanh<float>(xs, ds)),
            "gelu" => new(length, 2, () => Activations.Gelu<float>(xs, ds)),
            "bce" => new(length, 3, () => LossKernels.BinaryCrossEntropyWithLogits<float>(xs, ts, ds)),
            _ => throw new ArgumentException($"Unknown case '{@case}' in '{name}': expected one of {string.Join(", ", Cases)}.", nameof(name)),
        };
    }

    /// <summary>
    /// <paramref name="length"/> elements of scale·N(0, 1) in a pinned array (it never moves), starting
    /// <paramref name="offset"/> elements after a page boundary.
    /// </summary>
    private static unsafe ArraySegment<float> Span(Random random, int length, int offset, double scale)
    {
        const int Page = 4096;
        float[] array = GC.AllocateArray<float>(length + Page / sizeof(float) + offset, pinned: true);
        int pad = (int)((Page - (nuint)Unsafe.AsPointer(ref array[0]) % Page) % Page / sizeof(float));
        var span = new ArraySegment<float>(array, pad + offset, length);
        for (int i = 0; i < length; i++)
            span[i] = (float)(scale * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        return span;
    }
}

/// <summary>x·y (no library operator multiplies two spans alone).</summary>
internal readonly struct ProductOperator : IBinaryOperator<float>
{
    public static bool Vectorizable => true;
    public float Invoke(float x, float y) => x * y;
    public Vector128<float> Invoke(Vector128<float> x, Vector128<float> y) => x * y;
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => x * y;
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => x * y;
}
