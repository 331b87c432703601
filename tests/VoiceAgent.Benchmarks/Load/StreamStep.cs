namespace VoiceAgent.Benchmarks.Load;

/// <summary>
/// One ramp step: <see cref="Streams"/> simulated calls at once on one endpoint, from the first paced frame on (the agent
/// sends its first 11 frames at once, as MediaStreamSession does; the same frames are left out for the echo).
/// <see cref="InterArrivalP99Ms"/> is the p99 of |inter-arrival − 20 ms| of consecutive frames as the caller receives
/// them. Jitter is the same for the agent (its pacing is what is measured); for the echo it is |inter-arrival −
/// the caller's own send spacing|, the delay variation the echo path adds, because the caller's .NET timer is no more
/// exact than the agent's and would otherwise count twice.
/// </summary>
internal sealed record StreamStep(
    string Endpoint,
    int Streams,
    int Connected,
    long Expected,
    long Received,
    int ClientErrors,
    int ServerErrors,
    double JitterP50Ms,
    double JitterP99Ms,
    double JitterMaxMs,
    double InterArrivalP99Ms,
    double MeanIntervalMs,
    double CpuPercent,
    double OthersCpuPercent,
    double GcPauseMs,
    double AllocatedMegabytesPerSecond,
    string? FirstError)
{
    public const double JitterTargetMs = 5;

    public long Dropped => Expected - Received;

    /// <summary>Runs of this step; a failed step that other processes disturbed is repeated on a quiet machine.</summary>
    public int Attempts { get; init; } = 1;

    public bool Disturbed => OthersCpuPercent >= CpuUsage.QuietOthersPercent;

    public bool Passed => Connected == Streams && Dropped == 0 && JitterP99Ms <= JitterTargetMs;
}
