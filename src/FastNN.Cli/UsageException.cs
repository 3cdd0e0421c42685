namespace FastNN.Cli;

/// <summary>A mistake in the command line or its input (a bad option value, a missing file): exit code 2, one line on stderr.</summary>
internal sealed class UsageException(string message) : Exception(message);
