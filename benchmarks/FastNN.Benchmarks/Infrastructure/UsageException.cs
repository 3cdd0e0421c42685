namespace FastNN.Benchmarks.Infrastructure;

/// <summary>
/// A command line the benchmark modes cannot run (an unknown word, an option without its value): Program prints the
/// message, which says what the mode accepts, and exits with code 2 instead of a stack trace.
/// </summary>
internal sealed class UsageException(string message) : Exception(message);
