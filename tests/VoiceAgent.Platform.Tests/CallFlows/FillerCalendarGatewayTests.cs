using Microsoft.Extensions.Time.Testing;
using VoiceAgent.Activities.Ports;
using VoiceAgent.CallFlows;
using VoiceAgent.Platform.Ports;

namespace VoiceAgent.Platform.Tests.CallFlows;

/// <summary>A slow calendar on a realtime call: one short filler after 600 ms, at most once per turn, never after a barge-in.</summary>
public sealed class FillerCalendarGatewayTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(1);

    private readonly FakeTimeProvider time = new();
    private readonly Live live = new();
    private readonly SlowCalendar calendar = new();

    [Fact]
    public async Task A_lookup_slower_than_600_ms_gets_one_filler_and_a_second_one_in_the_same_turn_none()
    {
        var gateway = new FillerCalendarGateway(calendar, live, time);

        var first = gateway.ListEventsAsync("+491701234567", default).AsTask();
        time.Advance(FillerCalendarGateway.FillerAfter - TimeSpan.FromMilliseconds(1));
        Assert.Empty(live.Said);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await live.FirstLine.Task.WaitAsync(Guard);
        Assert.Equal(["Einen Moment, ich schaue nach."], live.Said);
        calendar.Answer();
        Assert.Empty(await first.WaitAsync(Guard));

        var second = gateway.ListEventsAsync("+491701234567", default).AsTask();
        time.Advance(TimeSpan.FromSeconds(5));
        calendar.Answer();
        await second.WaitAsync(Guard);
        Assert.Single(live.Said);
    }

    [Fact]
    public async Task A_fast_lookup_and_a_lookup_after_a_barge_in_get_no_filler()
    {
        var fast = new FillerCalendarGateway(calendar, live, time);
        var quick = fast.ListEventsAsync("+491701234567", default).AsTask();
        calendar.Answer();
        await quick.WaitAsync(Guard);
        time.Advance(TimeSpan.FromSeconds(2));

        await live.Interrupt.CancelAsync();
        var interrupted = new FillerCalendarGateway(calendar, live, time);
        var slow = interrupted.ListEventsAsync("+491701234567", default).AsTask();
        time.Advance(TimeSpan.FromSeconds(2));
        calendar.Answer();
        await slow.WaitAsync(Guard);

        Assert.Empty(live.Said);
    }

    private sealed class Live : ILiveSpeech
    {
        public CancellationTokenSource Interrupt { get; } = new();
        public List<string> Said { get; } = [];
        public TaskCompletionSource FirstLine { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public CancellationToken Interrupted => Interrupt.Token;

        public ValueTask SayAsync(string text, CancellationToken cancellationToken)
        {
            lock (Said)
            {
                Said.Add(text);
            }

            FirstLine.TrySetResult();
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Answers each lookup when the test says so.</summary>
    private sealed class SlowCalendar : ICalendarGateway
    {
        private TaskCompletionSource pending = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Answer()
        {
            var answered = pending;
            pending = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            answered.SetResult();
        }

        public async ValueTask<IReadOnlyList<CalendarEvent>> ListEventsAsync(string callerNumber, CancellationToken cancellationToken)
        {
            await pending.Task.WaitAsync(cancellationToken);
            return [];
        }

        public ValueTask<IReadOnlyList<Slot>> FindSlotsAsync(SlotRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<BookingResult> CreateEventAsync(BookingRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<bool> CancelEventAsync(string eventId, string callerNumber, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
