using System.Numerics;
using FastNN.Intrinsics;

namespace FastNN;

/// <summary>
/// Weight initialization as torch.nn.init: Glorot/Xavier and He/Kaiming, uniform and normal, and PyTorch's nn.Linear
/// default. Every method draws from the <see cref="Random"/> it is given, so a seeded generator reproduces the values.
/// </summary>
/// <remarks>
/// Fans follow torch.nn.init._calculate_fan_in_and_fan_out: for a weight of shape [out, in] (nn.Linear's layout),
/// fan_in = in and fan_out = out. Uniform draws are <c>a·(2u − 1)</c> with u ∈ [0, 1), so every value lies in [−a, a];
/// normal draws use the Box–Muller transform in double precision.
/// <para>Thread safety: every method may be called from several threads at once, provided they do not share a model,
/// trainer, optimizer or buffer that a call changes.</para>
/// </remarks>
public static partial class Init
{
    /// <summary>The recommended gain for a nonlinearity, as torch.nn.init.calculate_gain.</summary>
    /// <param name="nonlinearity">The activation after the layer.</param>
    /// <param name="negativeSlope">a, the negative slope of <see cref="Nonlinearity.LeakyRelu"/> (default: 0.01, as PyTorch).</param>
    /// <returns>1 (linear, sigmoid), 5/3 (tanh), √2 (ReLU) or √(2 / (1 + a²)) (leaky ReLU).</returns>
    /// <exception cref="ArgumentOutOfRangeException">An unknown nonlinearity, or a non-finite slope.</exception>
    public static double Gain(Nonlinearity nonlinearity, double negativeSlope = 0.01)
    {
        if (!double.IsFinite(negativeSlope))
            throw new ArgumentOutOfRangeException(nameof(negativeSlope), negativeSlope, "negativeSlope must be finite.");
        return nonlinearity switch
        {
            Nonlinearity.Linear or Nonlinearity.Sigmoid => 1.0,
            Nonlinearity.Tanh => 5.0 / 3,
            Nonlinearity.Relu => Math.Sqrt(2.0),
            Nonlinearity.LeakyRelu => LeakyReluGain(negativeSlope),
            _ => throw new ArgumentOutOfRangeException(nameof(nonlinearity), nonlinearity, "Unknown nonlinearity."),
        };
    }

    /// <summary>Fills <paramref name="values"/> from U(−a, a).</summary>
    /// <param name="values">The tensor to fill.</param>
    /// <param name="bound">a ≥ 0.</param>
    /// <param name="random">The generator to draw from.</param>
    /// <exception cref="ArgumentNullException"><paramref name="random"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bound"/> is negative or not finite in <typeparamref name="T"/>.</exception>
    public static void Uniform<T>(Span<T> values, double bound, Random random) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(random);
        if (!(bound >= 0) || double.IsPositiveInfinity(bound))
            throw new ArgumentOutOfRangeException(nameof(bound), bound, "bound must be finite and non-negative.");
        HyperParameter.FiniteIn<T>(bound, nameof(bound), bound);
        for (int i = 0; i < values.Length; i++)
            values[i] = T.CreateChecked(bound * (2 * random.NextDouble() - 1));
    }

    /// <summary>Fills <paramref name="values"/> from N(0, σ²).</summary>
    /// <param name="values">The tensor to fill.</param>
    /// <param name="std">σ ≥ 0.</param>
    /// <param name="random">The generator to draw from.</param>
    /// <exception cref="ArgumentNullException"><paramref name="random"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="std"/> is negative or not finite, or the largest draw
    /// σ·√(−2·ln 2⁻⁵³) ≈ 8.57σ is not finite in <typeparamref name="T"/> (float: σ above about 3.97e37).</exception>
    public static void Normal<T>(Span<T> values, double std, Random random) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(random);
        if (!(std >= 0) || double.IsPositiveInfinity(std))
            throw new ArgumentOutOfRangeException(nameof(std), std, "std must be finite and non-negative.");
        HyperParameter.FiniteIn<T>(std * LargestRadius, nameof(std), std, "the largest draw std·√(−2·ln 2⁻⁵³)");
        for (int i = 0; i < values.Length; i += 2)
        {
            // Box–Muller: two independent standard normals from two uniforms; 1 − u avoids log(0).
            double radius = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble()));
            double angle = 2 * Math.PI * random.NextDouble();
            values[i] = T.CreateChecked(std * radius * Math.Cos(angle));
            if (i + 1 < values.Length)
                values[i + 1] = T.CreateChecked(std * radius * Math.Sin(angle));
        }
    }

    /// <summary>Glorot/Xavier uniform (torch.nn.init.xavier_uniform_): U(−a, a) with <c>a = gain·√(6 / (fan_in + fan_out))</c>.</summary>
    /// <param name="weights">The weight tensor.</param>
    /// <param name="fanIn">fan_in ≥ 1.</param>
    /// <param name="fanOut">fan_out ≥ 1.</param>
    /// <param name="random">The generator to draw from.</param>
    /// <param name="gain">The gain (default: 1; see <see cref="Gain"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException">A fan is below 1, the gain is negative or not finite, or the bound or σ it gives is out of <typeparamref name="T"/>'s range (as <see cref="Uniform"/> and <see cref="Normal"/> refuse it).</exception>
    /// <exception cref="ArgumentNullException"><paramref name="random"/> is null.</exception>
    public static void GlorotUniform<T>(Span<T> weights, int fanIn, int fanOut, Random random, double gain = 1)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Uniform(weights, CheckGain(gain) * Math.Sqrt(6.0 / ((double)CheckFan(fanIn, nameof(fanIn)) + CheckFan(fanOut, nameof(fanOut)))), random);

    /// <summary>Glorot/Xavier normal (torch.nn.init.xavier_normal_): N(0, σ²) with <c>σ = gain·√(2 / (fan_in + fan_out))</c>.</summary>
    /// <param name="weights">The weight tensor.</param>
    /// <param name="fanIn">fan_in ≥ 1.</param>
    /// <param name="fanOut">fan_out ≥ 1.</param>
    /// <param name="random">The generator to draw from.</param>
    /// <param name="gain">The gain (default: 1; see <see cref="Gain"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException">A fan is below 1, the gain is negative or not finite, or the bound or σ it gives is out of <typeparamref name="T"/>'s range (as <see cref="Uniform"/> and <see cref="Normal"/> refuse it).</exception>
    /// <exception cref="ArgumentNullException"><paramref name="random"/> is null.</exception>
    public static void GlorotNormal<T>(Span<T> weights, int fanIn, int fanOut, Random random, double gain = 1)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Normal(weights, CheckGain(gain) * Math.Sqrt(2.0 / ((double)CheckFan(fanIn, nameof(fanIn)) + CheckFan(fanOut, nameof(fanOut)))), random);

    /// <summary>He/Kaiming uniform (torch.nn.init.kaiming_uniform_): U(−a, a) with <c>a = gain·√(3 / fan)</c>.</summary>
    /// <param name="weights">The weight tensor.</param>
    /// <param name="fanIn">fan_in ≥ 1.</param>
    /// <param name="fanOut">fan_out ≥ 1.</param>
    /// <param name="random">The generator to draw from.</param>
    /// <param name="mode">Which fan to use (default: fan_in).</param>
    /// <param name="gain">The gain (default: √2, ReLU's; see <see cref="Gain"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException">A fan is below 1, the gain is negative or not finite, the bound or σ it gives is out of <typeparamref name="T"/>'s range (as <see cref="Uniform"/> and <see cref="Normal"/> refuse it), or an unknown mode.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="random"/> is null.</exception>
    public static void HeUniform<T>(Span<T> weights, int fanIn, int fanOut, Random random, FanMode mode = FanMode.FanIn, double gain = 1.4142135623730951)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Uniform(weights, CheckGain(gain) * Math.Sqrt(3.0 / Fan(fanIn, fanOut, mode)), random);

    /// <summary>He/Kaiming normal (torch.nn.init.kaiming_normal_): N(0, σ²) with <c>σ = gain / √fan</c>.</summary>
    /// <param name="weights">The weight tensor.</param>
    /// <param name="fanIn">fan_in ≥ 1.</param>
    /// <param name="fanOut">fan_out ≥ 1.</param>
    /// <param name="random">The generator to draw from.</param>
    /// <param name="mode">Which fan to use (default: fan_in).</param>
    /// <param name="gain">The gain (default: √2, ReLU's; see <see cref="Gain"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException">A fan is below 1, the gain is negative or not finite, the bound or σ it gives is out of <typeparamref name="T"/>'s range (as <see cref="Uniform"/> and <see cref="Normal"/> refuse it), or an unknown mode.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="random"/> is null.</exception>
    public static void HeNormal<T>(Span<T> weights, int fanIn, int fanOut, Random random, FanMode mode = FanMode.FanIn, double gain = 1.4142135623730951)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Normal(weights, CheckGain(gain) / Math.Sqrt(Fan(fanIn, fanOut, mode)), random);

    /// <summary>PyTorch's nn.Linear default for a weight or a bias: U(−1/√fan_in, 1/√fan_in).</summary>
    /// <remarks>nn.Linear.reset_parameters runs kaiming_uniform_ with a = √5 on the weight, whose bound works out to
    /// 1/√fan_in, and draws the bias from the same range.</remarks>
    /// <param name="values">The weight or bias tensor.</param>
    /// <param name="fanIn">fan_in ≥ 1: the layer's input count.</param>
    /// <param name="random">The generator to draw from.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fanIn"/> is below 1.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="random"/> is null.</exception>
    public static void LinearDefault<T>(Span<T> values, int fanIn, Random random) where T : unmanaged, IFloatingPointIeee754<T>
        => Uniform(values, 1 / Math.Sqrt(CheckFan(fanIn, nameof(fanIn))), random);

    // Box–Muller's largest radius √(−2·ln(1 − u)): the largest double below 1 is 1 − 2⁻⁵³.
    private static readonly double LargestRadius = Math.Sqrt(-2 * Math.Log(Math.ScaleB(1, -53)));

    // √(2 / (1 + a²)): PyTorch's expression, to the bit, while a² stays far from overflow; past |a| = 1e150, 1 + a² is a²
    // in double and the gain √2/|a| (a² overflowed past 1.34e154 and gave 0).
    private static double LeakyReluGain(double a)
        => Math.Abs(a) < 1e150 ? Math.Sqrt(2.0 / (1 + a * a)) : Math.Sqrt(2.0) / Math.Abs(a);

    private static int CheckFan(int fan, string name)
        => fan >= 1 ? fan : throw new ArgumentOutOfRangeException(name, fan, $"{name} must be at least 1.");

    private static double CheckGain(double gain)
        => gain >= 0 && double.IsFinite(gain) ? gain : throw new ArgumentOutOfRangeException(nameof(gain), gain, "gain must be finite and non-negative.");

    private static double Fan(int fanIn, int fanOut, FanMode mode) => mode switch
    {
        FanMode.FanIn => CheckFan(fanIn, nameof(fanIn)),
        FanMode.FanOut => CheckFan(fanOut, nameof(fanOut)),
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown fan mode."),
    };
}
