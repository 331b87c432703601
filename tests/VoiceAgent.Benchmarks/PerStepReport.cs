using System.Globalization;
using System.Text;
using BenchmarkDotNet.Reports;

namespace VoiceAgent.Benchmarks;

/// <summary>Turns the benchmark results into the figures the targets are stated in: time and memory the engine adds per step.</summary>
public static class PerStepReport
{
    public const double TargetNanosecondsPerStep = 20_000;
    public const double TargetBytesPerStep = 4 * 1024;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Prints the per-step figures and saves them next to BenchmarkDotNet's markdown. Returns the exit code:
    /// 1 when a benchmark produced no result, otherwise 0 (a missed target is reported, not an error).</summary>
    public static int Write(IEnumerable<Summary> summaries, int steps)
    {
        var all = summaries.ToList();
        var reports = all.SelectMany(s => s.Reports.Select(r => (Summary: s, Report: r))).Where(x => x.Report.ResultStatistics is not null).ToList();
        var engine = reports.FirstOrDefault(x => Is<ConversationBenchmarks>(x.Report, nameof(ConversationBenchmarks.Engine)));
        var baseline = reports.FirstOrDefault(x => Is<ConversationBenchmarks>(x.Report, nameof(ConversationBenchmarks.HandWritten)));
        var json = reports.Where(x => Is<FlowInstanceJsonBenchmarks>(x.Report, nameof(FlowInstanceJsonBenchmarks.RoundTrip))).ToList();

        var text = new StringBuilder();
        if (engine.Report is not null && baseline.Report is not null)
        {
            AppendConversation(text, engine.Report, baseline.Report, steps);
        }

        if (json.Count > 0)
        {
            text.AppendLine("## FlowInstance JSON round trip (ToJson + FromJson, once per caller turn)").AppendLine();
            foreach (var (_, report) in json)
            {
                text.AppendLine(string.Create(Invariant,
                    $"- suspended at `{report.BenchmarkCase.Parameters["SuspendedAt"]}`: {Micro(Mean(report))} µs, {Bytes(report):N0} B allocated"));
            }

            text.AppendLine();
        }

        if (text.Length > 0)
        {
            Console.WriteLine();
            Console.Write(text);
            foreach (var directory in new[] { engine.Summary, baseline.Summary }.Concat(json.Select(x => x.Summary))
                         .OfType<Summary>().Select(s => s.ResultsDirectoryPath).Distinct())
            {
                var path = Path.Combine(directory, "VoiceAgent.Benchmarks.PerStep-report.md");
                File.WriteAllText(path, text.ToString());
                Console.WriteLine($"Per-step figures saved to {path}");
            }
        }

        var failed = all.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success || r.ResultStatistics is null));
        return failed ? 1 : 0;
    }

    private static void AppendConversation(StringBuilder text, BenchmarkReport engine, BenchmarkReport baseline, int steps)
    {
        var engineMean = Mean(engine);
        var baselineMean = Mean(baseline);
        var engineBytes = Bytes(engine);
        var baselineBytes = Bytes(baseline);
        var timePerStep = (engineMean - baselineMean) / steps;
        var bytesPerStep = (double)(engineBytes - baselineBytes) / steps;

        text.AppendLine("## Flow engine overhead per step (booking conversation)").AppendLine();
        text.AppendLine("| | Mean per call | Allocated per call |");
        text.AppendLine("|---|---:|---:|");
        text.AppendLine(string.Create(Invariant, $"| Hand-written baseline | {Micro(baselineMean)} µs | {baselineBytes:N0} B |"));
        text.AppendLine(string.Create(Invariant, $"| Flow engine | {Micro(engineMean)} µs | {engineBytes:N0} B |"));
        text.AppendLine();
        text.AppendLine(string.Create(Invariant, $"Steps per call: {steps} (StartAsync + 2 × ResumeAsync)"));
        text.AppendLine();
        text.AppendLine(string.Create(Invariant,
            $"- Added time per step: {Micro(timePerStep)} µs (target ≤ {Micro(TargetNanosecondsPerStep)} µs): {Verdict(timePerStep <= TargetNanosecondsPerStep)}"));
        text.AppendLine(string.Create(Invariant,
            $"- Added allocation per step: {bytesPerStep:N0} B (target ≤ {TargetBytesPerStep:N0} B): {Verdict(bytesPerStep <= TargetBytesPerStep)}"));
        text.AppendLine(string.Create(Invariant,
            $"- Engine / baseline: {engineMean / baselineMean:0.00}× time, {(double)engineBytes / baselineBytes:0.00}× allocated"));
        text.AppendLine(string.Create(Invariant,
            $"- From medians, less sensitive to a busy machine: {Micro((Median(engine) - Median(baseline)) / steps)} µs added per step, {Median(engine) / Median(baseline):0.00}× time"));
        text.AppendLine();
    }

    private static bool Is<T>(BenchmarkReport report, string method) =>
        report.BenchmarkCase.Descriptor.Type == typeof(T) && report.BenchmarkCase.Descriptor.WorkloadMethod.Name == method;

    private static double Mean(BenchmarkReport report) => report.ResultStatistics?.Mean ?? double.NaN;

    private static double Median(BenchmarkReport report) => report.ResultStatistics?.Median ?? double.NaN;

    private static long Bytes(BenchmarkReport report) => report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) ?? 0;

    private static string Micro(double nanoseconds) => (nanoseconds / 1000).ToString("0.00", Invariant);

    private static string Verdict(bool met) => met ? "met" : "MISSED";
}
