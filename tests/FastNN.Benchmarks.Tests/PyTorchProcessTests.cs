using FastNN.Benchmarks.Baselines;

namespace FastNN.Benchmarks.Tests;

/// <summary>
/// The PyTorch baseline is optional: where it cannot run, the reports print one line saying what to install and go on.
/// An interpreter that cannot import torch (python3 without python3-torch; simulated by /bin/false, which fails every
/// command) used to pass the check, and the report then died with an unhandled exception on the child's first answer.
/// </summary>
public class PyTorchProcessTests
{
    [Fact]
    public void An_interpreter_that_cannot_import_torch_is_a_problem_naming_the_package()
    {
        string? problem = PyTorchProcess.ProblemWith("training_step.py", "/bin/false");
        Assert.NotNull(problem);
        Assert.Contains("cannot import torch", problem);
        Assert.Contains("apt-get install python3-torch", problem);
    }

    [Fact]
    public void A_missing_interpreter_is_a_problem_naming_the_package()
    {
        string? problem = PyTorchProcess.ProblemWith("training_step.py", "/nonexistent/python3");
        Assert.NotNull(problem);
        Assert.Contains("/nonexistent/python3 not found", problem);
        Assert.Contains("apt-get install python3-torch", problem);
    }

    [Fact]
    public void A_missing_script_is_a_problem_naming_it()
    {
        string? problem = PyTorchProcess.ProblemWith("no_such_script.py", "/bin/false");
        Assert.NotNull(problem);
        Assert.Contains("benchmarks/pytorch/no_such_script.py not found", problem);
    }
}
