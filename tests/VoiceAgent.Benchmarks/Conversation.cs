using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using VoiceAgent.Flows.Runtime;

namespace VoiceAgent.Benchmarks;

/// <summary>One whole booking call, run by the engine or by the hand-written baseline over the same fakes.</summary>
public sealed class Conversation
{
    private readonly JsonObject callerVariables = BookingFlow.CallerVariables();

    public Conversation(FakePorts? ports = null)
    {
        Ports = ports ?? new FakePorts();
        Runner = new FlowRunner(Ports, Time);
        HandWritten = new HandWrittenBooking(Ports.Channel, Ports.Nlu, Ports.Calendar, Time);
    }

    public FakePorts Ports { get; }

    /// <summary>A clock that stands still (FakeTimeProvider never moves by itself), so transcripts of both sides compare equal.</summary>
    public TimeProvider Time { get; } = new FakeTimeProvider(new DateTimeOffset(2026, 11, 20, 14, 5, 0, TimeSpan.Zero));

    public FlowPlan Plan { get; } = BookingFlow.Compile();

    public FlowRunner Runner { get; }

    public HandWrittenBooking HandWritten { get; }

    public FlowInstance NewEngineCall() => FlowRunner.NewInstance(Plan, callerVariables);

    public FlowInstance NewHandWrittenCall() => HandWrittenBooking.NewCall(callerVariables);

    /// <summary>Start, the caller asks for an appointment, the caller accepts the offer.</summary>
    public async ValueTask<FlowInstance> RunEngineAsync(FlowInstance? call = null)
    {
        call ??= NewEngineCall();
        await Runner.StartAsync(Plan, call);
        await Runner.ResumeAsync(Plan, call, BookingFlow.BookingRequest);
        await Runner.ResumeAsync(Plan, call, BookingFlow.Yes);
        return call;
    }

    public async ValueTask<FlowInstance> RunHandWrittenAsync(FlowInstance? call = null)
    {
        call ??= NewHandWrittenCall();
        await HandWritten.StartAsync(call);
        await HandWritten.ResumeAsync(call, BookingFlow.BookingRequest);
        await HandWritten.ResumeAsync(call, BookingFlow.Yes);
        return call;
    }

    /// <summary>An engine run waiting at <c>listen</c> (after the greeting) or <c>confirm</c> (after the offer, with slots in
    /// the variables: the largest state this flow stores between turns).</summary>
    public async ValueTask<FlowInstance> SuspendedAtAsync(string nodeId)
    {
        var call = NewEngineCall();
        await Runner.StartAsync(Plan, call);
        if (nodeId == "confirm")
        {
            await Runner.ResumeAsync(Plan, call, BookingFlow.BookingRequest);
        }

        return call.Bookmark?.NodeId == nodeId ? call : throw new InvalidOperationException($"The run does not wait at '{nodeId}'.");
    }
}
