namespace VoiceAgent.Benchmarks.Load;

/// <summary>Latencies of one open-loop webhook run; <see cref="DispatchLagP99Ms"/> says how well the driver kept its schedule.</summary>
internal sealed record WebhookResult(
    string Name,
    int Rate,
    int Requests,
    int Succeeded,
    double P50Ms,
    double P95Ms,
    double P99Ms,
    double MaxMs,
    double AchievedRate,
    double DispatchLagP99Ms,
    double CpuPercent,
    /// <summary>NaN when the endpoint uses no database.</summary>
    double DatabaseCpuPercent,
    double OthersCpuPercent,
    string? FirstError)
{
    public const double P99TargetMs = 15;

    /// <summary>Requests answered with the polite "all lines busy" announcement (load shedding), not counted as OK.</summary>
    public int Shed { get; init; }

    public int Failed => Requests - Succeeded - Shed;

    public bool Met => Failed == 0 && Shed == 0 && P99Ms <= P99TargetMs;

    /// <summary>Runs of this line; a missed target that other processes disturbed is measured again on a quiet machine.</summary>
    public int Attempts { get; init; } = 1;

    public bool Disturbed => OthersCpuPercent >= CpuUsage.QuietOthersPercent;
}
