using System.Numerics;
using FastNN.Intrinsics;
using FastNN.Tests.Elementwise;

namespace FastNN.Tests.Threading;

/// <summary>
/// Every kind of call FastNN splits across its worker pool, at sizes where it splits on two threads: each pass reads
/// shared seeded inputs (never written) and returns its results in fresh arrays, so any number of threads may run
/// the passes at once.
/// </summary>
internal static class SplitPasses
{
    /// <summary>Elements of a map: above the parallel threshold, eight whole chunks and a 3-element last one.</summary>
    public const int MapLength = 8 * (1 << 15) + 3;

    /// <summary>Elements of an update: three threads' worth and a ragged end.</summary>
    public const int UpdateLength = 3 * OptimizerKernels.MinElementsPerThread + 37;

    /// <summary>One pass: its name, and a run that returns what it computed.</summary>
    public sealed record Pass(string Name, Func<Array[]> Run);

    /// <summary>Every split pass on float and double.</summary>
    public static Pass[] All() => [.. Of<float>(), .. Of<double>()];

    private static Pass[] Of<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(typeof(T) == typeof(float) ? 7 : 8);
        // Maps: every operator the pool splits (specials included); each backward pass with a finite upstream gradient.
        T[] x = TestData.Values<T>(rng, MapLength), dy = TestData.Finite<T>(rng, MapLength);
        T[] y = new T[MapLength];
        Activations.Sigmoid<T>(x, y);
        T[] t = new T[MapLength];
        Activations.Tanh<T>(x, t);
        T alpha = T.CreateTruncating(0.7), beta = T.CreateTruncating(1.5), threshold = T.CreateTruncating(20);
        // Updates start from the same state every run: each run updates copies.
        T[] p = TestData.Finite<T>(rng, UpdateLength), g = TestData.Finite<T>(rng, UpdateLength), m = TestData.Finite<T>(rng, UpdateLength);
        T[] v = [.. TestData.Finite<T>(rng, UpdateLength).Select(T.Abs)], vMax = [.. v.Select(e => e + T.One)];
        // GEMMs: the packed path split by columns, by rows, several depth blocks deep, and the dot path by strips and by rows.
        string type = typeof(T).Name;
        return
        [
            Gemm<T>(rng, 200, 300, 150, false, true),
            Gemm<T>(rng, 700, 40, 100, true, false),
            Gemm<T>(rng, 90, 250, 1300, false, false),
            Gemm<T>(rng, 8, 700, 600, false, true),
            Gemm<T>(rng, 1000, 2, 1000, false, true),
            Map<T>($"Sigmoid {type}", o => Activations.Sigmoid<T>(x, o)),
            Map<T>($"Tanh {type}", o => Activations.Tanh<T>(x, o)),
            Map<T>($"Silu {type}", o => Activations.Silu<T>(x, o)),
            Map<T>($"SiluBackward {type}", o => Activations.SiluBackward<T>(x, dy, o)),
            Map<T>($"Gelu {type}", o => Activations.Gelu<T>(x, o)),
            Map<T>($"GeluBackward {type}", o => Activations.GeluBackward<T>(x, dy, o)),
            Map<T>($"GeluTanh {type}", o => Activations.GeluTanh<T>(x, o)),
            Map<T>($"GeluTanhBackward {type}", o => Activations.GeluTanhBackward<T>(x, dy, o)),
            Map<T>($"Elu {type}", o => Activations.Elu<T>(x, o, alpha)),
            Map<T>($"EluBackward {type}", o => Activations.EluBackward<T>(x, dy, o, alpha)),
            Map<T>($"Softplus {type}", o => Activations.Softplus<T>(x, o, beta, threshold)),
            Map<T>($"SoftplusBackward {type}", o => Activations.SoftplusBackward<T>(x, dy, o, beta, threshold)),
            Map<T>($"Softmax of one long row {type}", o => Activations.Softmax<T>(dy, o, 1, MapLength)),
            Map<T>($"LogSoftmaxBackward of one long row {type}", o => Activations.LogSoftmaxBackward<T>(dy, dy, o, 1, MapLength)),
            Map<T>($"SigmoidBackward {type}", o => Activations.SigmoidBackward<T>(y, dy, o)),
            Map<T>($"TanhBackward {type}", o => Activations.TanhBackward<T>(t, dy, o)),
            new($"Adam (AMSGrad) {type}", () =>
            {
                T[] p1 = [.. p], m1 = [.. m], v1 = [.. v], vMax1 = [.. vMax];
                OptimizerKernels.Adam<T>(p1, g, m1, v1, vMax1, 4, 1e-3, 0.9, 0.999, 1e-8, 0.01, true);
                return [p1, m1, v1, vMax1];
            }),
            new($"RmsProp (centered, momentum) {type}", () =>
            {
                T[] p1 = [.. p], v1 = [.. v], m1 = [.. m], b1 = [.. vMax];
                OptimizerKernels.RmsProp<T>(p1, g, v1, m1, b1, 1e-3, 0.99, 1e-8, 0.01, 0.9, true);
                return [p1, v1, m1, b1];
            }),
            new($"Sgd (Nesterov) {type}", () =>
            {
                T[] p1 = [.. p], b1 = [.. m];
                OptimizerKernels.Sgd<T>(p1, g, b1, 1e-2, 0.9, 0, true, 1e-4, false, false);
                return [p1, b1];
            }),
        ];
    }

    private static Pass Map<T>(string name, Action<T[]> map) => new(name, () =>
    {
        var output = new T[MapLength];
        map(output);
        return [output];
    });

    private static Pass Gemm<T>(Random rng, int m, int n, int k, bool transposeA, bool transposeB) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] a = TestData.Finite<T>(rng, m * k), b = TestData.Finite<T>(rng, k * n), c0 = TestData.Finite<T>(rng, m * n);
        T alpha = T.CreateTruncating(0.75), beta = T.CreateTruncating(-0.5);
        return new($"Gemm {typeof(T).Name} ({m}, {n}, {k}){(transposeA ? " Aᵀ" : "")}{(transposeB ? " Bᵀ" : "")}", () =>
        {
            T[] c = [.. c0];
            Intrinsics.Gemm.Multiply<T>(transposeA, transposeB, m, n, k, alpha, a, transposeA ? m : k, b, transposeB ? k : n, beta, c, n);
            return [c];
        });
    }
}
