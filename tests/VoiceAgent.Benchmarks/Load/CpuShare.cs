namespace VoiceAgent.Benchmarks.Load;

/// <summary>Shares of all cores in percent; see <see cref="CpuUsage"/>.</summary>
internal sealed record CpuShare(double OwnPercent, double CompanionPercent, double OthersPercent);
