namespace VoiceAgent.CallFlows;

/// <summary>A clock that starts at a fixed instant and moves only when advanced (CLI simulation, tests).</summary>
public sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    private DateTimeOffset now = now;

    public override DateTimeOffset GetUtcNow() => now;

    public void Advance(TimeSpan by) => now += by;
}
