using BenchmarkDotNet.Attributes;
using VoiceAgent.Flows.Runtime;

namespace VoiceAgent.Benchmarks;

/// <summary>
/// One operation is one whole booking call: start (greeting, first question), the caller asks for an appointment
/// (understanding, slot search, offer), the caller accepts (booking, goodbye, hang-up) — StartAsync and two ResumeAsync.
/// The difference between the two means, divided by <see cref="Equivalence.CheckAndCountSteps"/>, is the engine's
/// overhead per step.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(QuickConfig))]
public class ConversationBenchmarks
{
    private Conversation conversation = null!;

    [GlobalSetup]
    public void Setup()
    {
        Equivalence.CheckAndCountSteps();
        conversation = new Conversation();
    }

    [Benchmark(Baseline = true)]
    public ValueTask<FlowInstance> HandWritten() => conversation.RunHandWrittenAsync();

    [Benchmark]
    public ValueTask<FlowInstance> Engine() => conversation.RunEngineAsync();
}
