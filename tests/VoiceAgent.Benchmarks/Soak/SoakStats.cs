using System.Collections.Concurrent;
using System.Globalization;
using VoiceAgent.Benchmarks.Load;

namespace VoiceAgent.Benchmarks.Soak;

/// <summary>What the soak's callers and portal users saw: latencies by kind, completed calls, and errors by kind with the
/// first few messages of each (a soak that fails must say why without a log dive).</summary>
internal sealed class SoakStats
{
    private const int ExamplesPerKind = 3;

    private readonly ConcurrentDictionary<string, ConcurrentQueue<double>> latencies = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> errors = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> examples = new(StringComparer.Ordinal);
    private int streamCalls;
    private int gatherCalls;
    private int portalRequests;

    /// <summary>Latency kinds: gather-call webhooks (B3), stream-call webhooks, greeting (stream start → first agent frame),
    /// caller turn (last speech frame → first agent frame, B5), portal API requests.</summary>
    public const string GatherWebhook = "gather webhook", StreamWebhook = "stream webhook", Greeting = "stream greeting",
        Turn = "stream turn", Portal = "portal API";

    public void Record(string kind, double milliseconds) => latencies.GetOrAdd(kind, _ => new()).Enqueue(milliseconds);

    public void StreamCallCompleted() => Interlocked.Increment(ref streamCalls);

    public void GatherCallCompleted() => Interlocked.Increment(ref gatherCalls);

    public void PortalRequest() => Interlocked.Increment(ref portalRequests);

    public int StreamCalls => Volatile.Read(ref streamCalls);

    public int GatherCalls => Volatile.Read(ref gatherCalls);

    public int PortalRequests => Volatile.Read(ref portalRequests);

    public int Errors => errors.Values.Sum();

    public void Error(string kind, string message)
    {
        errors.AddOrUpdate(kind, 1, (_, n) => n + 1);
        var queue = examples.GetOrAdd(kind, _ => new());
        if (queue.Count < ExamplesPerKind)
        {
            queue.Enqueue(message.Length <= 300 ? message : message[..300] + " …");
        }
    }

    public IEnumerable<(string Kind, int Count, string[] Examples)> ErrorKinds =>
        errors.OrderByDescending(e => e.Value).Select(e => (e.Key, e.Value, examples.TryGetValue(e.Key, out var q) ? q.ToArray() : []));

    /// <summary>Sorted latencies of a kind (empty when none).</summary>
    public double[] Sorted(string kind) => latencies.TryGetValue(kind, out var q) ? [.. q.Order()] : [];

    public double Percentile(string kind, double p) => Percentiles.Of(Sorted(kind), p);

    public string Line(string kind)
    {
        var sorted = Sorted(kind);
        return string.Create(CultureInfo.InvariantCulture,
            $"  {kind,-16} n {sorted.Length,6}  p50 {Percentiles.Of(sorted, 50),7:F1} ms  p95 {Percentiles.Of(sorted, 95),7:F1} ms  p99 {Percentiles.Of(sorted, 99),7:F1} ms  max {(sorted.Length == 0 ? double.NaN : sorted[^1]),7:F1} ms");
    }
}
