namespace FastNN.Cli.Training;

/// <summary>The training loop: epochs, batch size, seed, element type.</summary>
/// <param name="Epochs">Passes over the training rows.</param>
/// <param name="BatchSize">Rows per mini-batch.</param>
/// <param name="Seed">Seed of the split, the initialization, the shuffles and dropout.</param>
/// <param name="Double">Train in double precision instead of float.</param>
internal sealed record LoopSettings(int Epochs, int BatchSize, int Seed, bool Double);
