using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace VoiceAgent.Benchmarks;

/// <summary>One process, few iterations: the whole suite finishes in a few minutes on a 2-core machine. The Error
/// column shows what that costs in precision; pass <c>--job default</c> for a longer run. Markdown export comes with
/// BenchmarkDotNet's default config (<c>BenchmarkDotNet.Artifacts/results/*-report-github.md</c>).</summary>
public sealed class QuickConfig : ManualConfig
{
    public QuickConfig()
    {
        AddJob(Job.Default.WithId("Quick").WithLaunchCount(1).WithWarmupCount(6).WithIterationCount(20));
        // BenchmarkDotNet builds its own project over the whole dependency chain (web app and designer assets included);
        // on a shared 2-core machine that takes longer than its default limit of two minutes.
        WithBuildTimeout(TimeSpan.FromMinutes(15));
    }
}
