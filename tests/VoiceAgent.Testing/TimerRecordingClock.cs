using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace VoiceAgent.Testing;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that also tells which timers were started (retry waits, budgets, timeouts), so a test
/// can wait for the code under test to start waiting, check the wait, and then advance the clock past it.
/// </summary>
public sealed class TimerRecordingClock : FakeTimeProvider
{
    private readonly ConcurrentQueue<TimeSpan> timers = new();

    /// <summary>Due times of every timer started or re-armed so far, in order.</summary>
    public IReadOnlyList<TimeSpan> Timers => timers.ToArray();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            timers.Enqueue(dueTime);
        }

        return new RecordingTimer(timer, timers);
    }

    public Task WaitForTimerAsync(TimeSpan dueTime) =>
        Eventually.UntilAsync(() => timers.Contains(dueTime), $"a timer of {dueTime} (timers: {string.Join(", ", timers)})");

    // Timeouts start their timer with Change (CancellationTokenSource.CancelAfter).
    private sealed class RecordingTimer(ITimer inner, ConcurrentQueue<TimeSpan> timers) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (dueTime != Timeout.InfiniteTimeSpan)
            {
                timers.Enqueue(dueTime);
            }

            return inner.Change(dueTime, period);
        }

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
