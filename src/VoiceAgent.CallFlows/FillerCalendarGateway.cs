using VoiceAgent.Activities.Ports;
using VoiceAgent.Activities.Resources;
using VoiceAgent.Platform.Ports;

namespace VoiceAgent.CallFlows;

/// <summary>
/// On a realtime call, a calendar lookup that takes longer than <see cref="FillerAfter"/> gets a short filler
/// ("Einen Moment, ich schaue nach.") so the caller does not sit in silence — at most once per turn (one instance serves
/// one turn), and never after the caller has spoken over the agent. The filler is not part of the transcript.
/// </summary>
public sealed class FillerCalendarGateway(ICalendarGateway inner, ILiveSpeech live, TimeProvider time) : ICalendarGateway
{
    public static readonly TimeSpan FillerAfter = TimeSpan.FromMilliseconds(600);

    private int said;

    public ValueTask<IReadOnlyList<Slot>> FindSlotsAsync(SlotRequest request, CancellationToken cancellationToken) =>
        WithFillerAsync(inner.FindSlotsAsync(request, cancellationToken), cancellationToken);

    public ValueTask<BookingResult> CreateEventAsync(BookingRequest request, CancellationToken cancellationToken) =>
        WithFillerAsync(inner.CreateEventAsync(request, cancellationToken), cancellationToken);

    public ValueTask<IReadOnlyList<CalendarEvent>> ListEventsAsync(string callerNumber, CancellationToken cancellationToken) =>
        WithFillerAsync(inner.ListEventsAsync(callerNumber, cancellationToken), cancellationToken);

    public ValueTask<bool> CancelEventAsync(string eventId, string callerNumber, CancellationToken cancellationToken) =>
        WithFillerAsync(inner.CancelEventAsync(eventId, callerNumber, cancellationToken), cancellationToken);

    private async ValueTask<T> WithFillerAsync<T>(ValueTask<T> lookup, CancellationToken cancellationToken)
    {
        if (lookup.IsCompleted || Volatile.Read(ref said) == 1)
        {
            return await lookup;
        }

        var pending = lookup.AsTask();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var wait = Task.Delay(FillerAfter, time, stop.Token);
        if (await Task.WhenAny(pending, wait) == wait && wait.IsCompletedSuccessfully && !pending.IsCompleted
            && !live.Interrupted.IsCancellationRequested && Interlocked.Exchange(ref said, 1) == 0)
        {
            await live.SayAsync(ActivityTexts.Get("Call.LookupFiller"), cancellationToken);
        }

        await stop.CancelAsync();
        return await pending;
    }
}
