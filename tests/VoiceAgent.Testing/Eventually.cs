namespace VoiceAgent.Testing;

/// <summary>
/// Waits for what another thread or process does (a job, a fake's request, a mail, a lock): checks the condition on a
/// short periodic tick until it holds. The bound is no timing assertion, only what stops a broken test from hanging,
/// so it is generous: a busy machine makes a test slower, never red.
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultBound = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(20);

    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? bound = null) =>
        UntilAsync(() => Task.FromResult(condition()), what, bound);

    /// <exception cref="TimeoutException">The condition did not hold within the bound; the message names <paramref name="what"/>.</exception>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? bound = null)
    {
        using var giveUp = new CancellationTokenSource(bound ?? DefaultBound);
        using var tick = new PeriodicTimer(Tick);
        while (!await condition())
        {
            if (giveUp.IsCancellationRequested)
            {
                throw new TimeoutException("Not reached: " + what);
            }

            await tick.WaitForNextTickAsync(CancellationToken.None);
        }
    }
}
