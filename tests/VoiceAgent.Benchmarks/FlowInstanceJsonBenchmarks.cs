using BenchmarkDotNet.Attributes;
using VoiceAgent.Flows.Runtime;

namespace VoiceAgent.Benchmarks;

/// <summary>
/// Saving a suspended run and loading it for the next turn (in production once per caller turn, so a turn may resume on
/// any node), at both places the booking flow waits: after the greeting, and after the offer with slots in the variables.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(QuickConfig))]
public class FlowInstanceJsonBenchmarks
{
    private FlowInstance suspended = null!;

    [Params("listen", "confirm")]
    public string SuspendedAt { get; set; } = "confirm";

    [GlobalSetup]
    public void Setup() => suspended = new Conversation().SuspendedAtAsync(SuspendedAt).AsTask().GetAwaiter().GetResult();

    [Benchmark]
    public FlowInstance RoundTrip() => FlowInstance.FromJson(suspended.ToJson());
}
