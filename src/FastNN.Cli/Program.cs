using FastNN.Cli;

return Fastnn.Run(args, CliConsole.ForProcess());
