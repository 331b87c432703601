using System.Diagnostics;

using VoiceAgent.Platform.Audio;

namespace VoiceAgent.Telephony.Audio;

/// <summary>
/// One pacing clock for all media streams of the process. The runtime's timers (<c>Task.Delay</c>) fire on a coarse
/// clock (4 ms steps on the Linux machines measured) and each stream would need its own; here a single background thread
/// wakes about every millisecond while anything is waiting and completes every wait that has come due, so frames leave
/// within about a millisecond of their schedule however many calls are running. Idle, the thread sleeps until work arrives.
/// Timestamps come from a <see cref="TimeProvider"/> (the system's, i.e. <see cref="Stopwatch"/>, in production) so tests can
/// drive the schedule with a fake clock instead of measuring real time.
/// </summary>
public sealed class FrameClock(TimeProvider time)
{
    public static readonly FrameClock Shared = new(TimeProvider.System);

    private readonly PriorityQueue<TaskCompletionSource, long> waiting = new();
    private readonly object gate = new();
    private Thread? thread;

    public TimeProvider Time => time;

    /// <summary>Completes at or shortly after the timestamp <paramref name="due"/> of <see cref="Time"/>.</summary>
    public Task WaitUntilAsync(long due)
    {
        if (due <= time.GetTimestamp())
        {
            return Task.CompletedTask;
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (gate)
        {
            waiting.Enqueue(done, due);
            if (thread is null)
            {
                thread = new Thread(Run) { IsBackground = true, Name = "VoiceAgent frame clock", Priority = ThreadPriority.AboveNormal };
                thread.Start();
            }
            else if (waiting.Count == 1)
            {
                Monitor.Pulse(gate);
            }
        }

        return done.Task;
    }

    private void Run()
    {
        var due = new List<TaskCompletionSource>();
        while (true)
        {
            lock (gate)
            {
                while (waiting.Count == 0)
                {
                    Monitor.Wait(gate);
                }

                var now = time.GetTimestamp();
                while (waiting.TryPeek(out _, out var at) && at <= now)
                {
                    due.Add(waiting.Dequeue());
                }
            }

            foreach (var wait in due)
            {
                wait.TrySetResult();
            }

            due.Clear();
            Thread.Sleep(1);
        }
    }
}
