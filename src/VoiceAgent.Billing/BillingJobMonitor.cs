using System.Collections.Concurrent;
using VoiceAgent.Billing;

namespace VoiceAgent.Billing;

/// <summary>Runs of the monthly job on this instance, as they finish (the admin page shows the stored log; tests await these).</summary>
public sealed class BillingJobMonitor
{
    private readonly ConcurrentQueue<BillingRunResult> completed = new();

    public event Action<BillingRunResult>? RunCompleted;

    public IReadOnlyList<BillingRunResult> Completed => completed.ToArray();

    public void Report(BillingRunResult result)
    {
        completed.Enqueue(result);
        RunCompleted?.Invoke(result);
    }
}
