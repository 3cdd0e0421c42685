namespace FastNN.Cli.Training;

/// <summary>
/// The default length of a training run: 20 epochs, or, on a data set small enough that 20 epochs are fewer than
/// 2000 optimizer steps, as many epochs as make at least 2000 steps.
/// </summary>
/// <remarks>
/// Adam and AdamW (the default) move each weight by about the learning rate per step, whatever the gradient's scale:
/// at the default 1e-3 a weight travels about 2 in 2000 steps, the scale of the coefficients of a problem whose features
/// and target are standardized. Twenty epochs of 12 batches (the 354 training rows of the diabetes data) are 240 steps,
/// too few for a linear model to reach its minimum (held-out R² −0.51 after 240 steps, 0.50 after 2000).
/// </remarks>
internal static class EpochBudget
{
    /// <summary>The default number of epochs where they make at least <see cref="MinimumSteps"/> steps.</summary>
    public const int Epochs = 20;

    /// <summary>The fewest optimizer steps a default run takes.</summary>
    public const int MinimumSteps = 2000;

    /// <summary>The rule as help and output say it.</summary>
    public const string Rule = "20, or as many as make at least 2000 optimizer steps on a small data set (⌈2000 / batches per epoch⌉)";

    /// <summary>The batches of one epoch: ⌈rows / batch size⌉ (the last one partial), or ⌊rows / batch size⌋ when <paramref name="dropLast"/> skips the partial one.</summary>
    public static int BatchesPerEpoch(int trainingRows, int batchSize, bool dropLast) =>
        dropLast ? trainingRows / batchSize : (trainingRows + batchSize - 1) / batchSize;

    /// <summary>The default epochs for epochs of <paramref name="batches"/> batches (at least 1).</summary>
    public static int For(int batches) => Math.Max(Epochs, (MinimumSteps + batches - 1) / Math.Max(batches, 1));
}
