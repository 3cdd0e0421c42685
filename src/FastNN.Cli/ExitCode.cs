namespace FastNN.Cli;

/// <summary>The command's exit codes.</summary>
internal static class ExitCode
{
    /// <summary>Success.</summary>
    public const int Success = 0;

    /// <summary>A failure that is not the user's mistake (a failed gradient check, a diverged run, a bug).</summary>
    public const int Failure = 1;

    /// <summary>Bad usage or bad input: an unknown option, a bad value, a missing or malformed file.</summary>
    public const int Usage = 2;

    /// <summary>Stopped by Ctrl-C: 128 + SIGINT, as a shell reports a process the signal ended.</summary>
    public const int Interrupted = 130;

    /// <summary>Stopped by SIGTERM (as a service manager or container runtime sends it): 128 + SIGTERM, likewise.</summary>
    public const int Terminated = 143;
}
