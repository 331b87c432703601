using System.Text.Json.Nodes;
using VoiceAgent.Flows.Runtime;

namespace VoiceAgent.Benchmarks;

/// <summary>
/// Guards the comparison: the engine and the baseline must say the same, book the same and leave the same state,
/// or the numbers compare different work. Runs once before measuring.
/// </summary>
public static class Equivalence
{
    /// <summary>Checks both sides and returns the steps the engine executes per conversation.</summary>
    /// <exception cref="InvalidOperationException">The two sides differ.</exception>
    public static int CheckAndCountSteps()
    {
        var engine = RunAsync(handWritten: false).AsTask().GetAwaiter().GetResult();
        var baseline = RunAsync(handWritten: true).AsTask().GetAwaiter().GetResult();

        Expect(engine.Call.Status == FlowStatus.Completed && engine.Call.Incidents.Count == 0,
            $"the engine run ended {engine.Call.Status} with {engine.Call.Incidents.Count} incident(s)");
        Expect(baseline.Call.Status == FlowStatus.Completed, $"the baseline ended {baseline.Call.Status}");
        Expect(engine.Said.SequenceEqual(baseline.Said),
            $"they say different things:\n  engine:   {string.Join("\n            ", engine.Said)}\n  baseline: {string.Join("\n            ", baseline.Said)}");
        Expect(engine.Call.Transcript.SequenceEqual(baseline.Call.Transcript), "their transcripts differ");
        Expect(JsonNode.DeepEquals(engine.Call.Variables, baseline.Call.Variables),
            $"their variables differ:\n  engine:   {engine.Call.Variables.ToJsonString()}\n  baseline: {baseline.Call.Variables.ToJsonString()}");
        Expect(engine.Booking is not null && engine.Booking == baseline.Booking, $"they book differently: {engine.Booking} / {baseline.Booking}");
        Expect(engine.Hangups == 1 && baseline.Hangups == 1, "each side must hang up exactly once");
        return engine.Call.Steps;
    }

    private static async ValueTask<(FlowInstance Call, List<string> Said, Activities.Ports.BookingRequest? Booking, int Hangups)> RunAsync(bool handWritten)
    {
        var conversation = new Conversation();
        var said = new List<(string Text, SayOptions Options)>();
        conversation.Ports.Channel.Recording = said;
        var call = handWritten ? conversation.NewHandWrittenCall() : conversation.NewEngineCall();
        call.Id = "equivalence-check";
        call = handWritten ? await conversation.RunHandWrittenAsync(call) : await conversation.RunEngineAsync(call);
        return (call, said.Select(s => $"{s.Text} [{s.Options}]").ToList(), conversation.Ports.Calendar.LastBooking, conversation.Ports.Channel.Hangups);
    }

    private static void Expect(bool condition, string problem)
    {
        if (!condition)
        {
            throw new InvalidOperationException("Engine and hand-written baseline are not equivalent: " + problem);
        }
    }
}
