using System.Globalization;

namespace VoiceAgent.Benchmarks.Soak;

/// <summary>
/// Memory of each instance over the soak: resident set size from /proc/&lt;pid&gt;/status (VmRSS; the pid from the cluster's
/// app-i.pid files) — what the operating system has to give the process, native buffers included — and the managed heap
/// from the instance's Prometheus endpoint, which tells a managed leak apart from native growth. Without the cluster's
/// folder (VOICEAGENT_CLUSTER_DIR, exported by soak.sh) RSS is not known and reads NaN, which fails the memory target.
/// </summary>
internal sealed class MemorySampler(IReadOnlyList<int> instances, string? clusterDirectory, int prometheusPortBase)
{
    /// <summary>The runtime's heap size metrics as OpenTelemetry's Prometheus exporter names them (.NET 9+ runtime meter
    /// first, the older instrumentation package's name second); summed over generations.</summary>
    private static readonly string[] HeapMetrics = ["dotnet_gc_last_collection_heap_size_bytes", "process_runtime_dotnet_gc_heap_size_bytes"];

    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>One sample: minute since the start, per instance RSS and managed heap in MB (NaN when not readable).</summary>
    public sealed record Sample(double Minute, double[] RssMb, double[] HeapMb);

    public List<Sample> Samples { get; } = [];

    public async Task<Sample> TakeAsync(TimeSpan elapsed)
    {
        var rss = new double[instances.Count];
        var heap = new double[instances.Count];
        for (var n = 0; n < instances.Count; n++)
        {
            rss[n] = clusterDirectory is null ? double.NaN : ReadRssMb(Path.Combine(clusterDirectory, $"app-{instances[n]}.pid"));
            heap[n] = await ReadHeapMbAsync(prometheusPortBase + instances[n]);
        }

        var sample = new Sample(elapsed.TotalMinutes, rss, heap);
        Samples.Add(sample);
        return sample;
    }

    private static double ReadRssMb(string pidFile)
    {
        try
        {
            var pid = File.ReadAllText(pidFile).Trim();
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? double.NaN : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        }
        catch (IOException)
        {
            return double.NaN;
        }
    }

    private async Task<double> ReadHeapMbAsync(int port)
    {
        try
        {
            var text = await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics"));
            foreach (var metric in HeapMetrics)
            {
                var values = text.Split('\n')
                    .Where(l => l.StartsWith(metric, StringComparison.Ordinal) && (l.Length == metric.Length || l[metric.Length] is '{' or ' '))
                    .Select(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture))
                    .ToList();
                if (values.Count > 0)
                {
                    return values.Sum() / 1048576.0;
                }
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or FormatException)
        {
            // No metrics endpoint: RSS only.
        }

        return double.NaN;
    }

    /// <summary>Growth of each instance's RSS from the first sample at or after the warm-up to the last, in per cent.</summary>
    public double[] GrowthPercent(TimeSpan warmUp, Func<Sample, double[]> of)
    {
        var counted = Samples.Where(s => s.Minute >= warmUp.TotalMinutes - 0.01).ToList();
        if (counted.Count < 2)
        {
            return [.. instances.Select(_ => double.NaN)];
        }

        var (first, last) = (of(counted[0]), of(counted[^1]));
        return [.. first.Select((f, n) => 100 * (last[n] - f) / f)];
    }
}
