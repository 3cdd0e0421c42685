using System.Globalization;
using FastNN.Training;

namespace FastNN.Cli.Training;

/// <summary>One line per epoch: training loss, held-out loss and metric (accuracy, or RMSE in the target's units and R²), learning rate, time.</summary>
internal sealed class EpochFormat(TaskChoice task, double targetScale, int epochs)
{
    private readonly int _digits = epochs.ToString(CultureInfo.InvariantCulture).Length;

    public string Describe(EpochResult epoch)
    {
        string line = string.Create(CultureInfo.InvariantCulture,
            $"epoch {epoch.Epoch.ToString(CultureInfo.InvariantCulture).PadLeft(_digits)}/{epochs}  loss {Fixed.Of(epoch.TrainLoss, 4)}");
        if (epoch.Validation is Evaluation held)
        {
            line += task == TaskChoice.Regress
                ? string.Create(CultureInfo.InvariantCulture, $"  held-out loss {Fixed.Of(held.Loss, 4)}  RMSE {held.Rmse * targetScale:G4}  R² {Fixed.Of(held.RSquared, 3)}")
                : string.Create(CultureInfo.InvariantCulture, $"  held-out loss {Fixed.Of(held.Loss, 4)}  accuracy {100 * held.Accuracy:F2}%");
        }
        return line + string.Create(CultureInfo.InvariantCulture, $"  lr {epoch.LearningRate:G3}  {epoch.Elapsed.TotalMilliseconds:F0} ms");
    }
}
