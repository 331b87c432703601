using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;

namespace VoiceAgent.Benchmarks.Load;

/// <summary>
/// Open-loop load: request i is sent at start + i / rate whatever earlier requests are doing, so a slow server cannot
/// slow the driver down and hide its own queueing (coordinated omission). Latency counts from the moment the request is
/// dispatched; how late dispatching ran behind the schedule (timer granularity, a busy machine) is reported on its own.
/// </summary>
internal static class WebhookLoad
{
    private const int MaxOutstanding = 2000;
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    public static HttpClient CreateClient() => new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        // Like Twilio, every outstanding webhook gets its own connection: queueing must happen in the server (where load
        // shedding can see it), not in the driver's connection pool.
        MaxConnectionsPerServer = MaxOutstanding,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
    })
    {
        Timeout = RequestTimeout,
    };

    /// <param name="check">Throws when a response is not what this endpoint must answer (checked on the first response).</param>
    /// <param name="database">PostgreSQL's postmaster when the server uses one: its CPU is counted apart from other processes'.</param>
    public static async Task<WebhookResult> RunAsync(string name, HttpClient client, Uri url, IReadOnlyList<SignedWebhook> requests,
        int rate, TimeSpan duration, Action<HttpStatusCode, string> check, int? database, TextWriter log)
    {
        var total = (int)Math.Min(requests.Count, rate * duration.TotalSeconds);
        var latencies = new double[total];
        var lags = new double[total];
        Array.Fill(latencies, double.NaN);
        string? firstError = null;
        var outstanding = 0;
        var shed = 0;
        var tasks = new List<Task>(total);

        var (probeStatus, probeBody) = await SendAsync(client, url, requests[0], CancellationToken.None);
        check(probeStatus, probeBody);

        var cpu = CpuUsage.Start(database);
        var start = Stopwatch.GetTimestamp();
        var ticksPerRequest = (double)Stopwatch.Frequency / rate;
        for (var i = 1; i < total; i++)
        {
            var due = start + (long)(i * ticksPerRequest);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Ceiling(wait.TotalMilliseconds)));
            }

            if (Volatile.Read(ref outstanding) >= MaxOutstanding)
            {
                firstError ??= $"more than {MaxOutstanding} requests outstanding: not sent";
                continue;
            }

            Interlocked.Increment(ref outstanding);
            var index = i;
            var sent = Stopwatch.GetTimestamp();
            lags[index] = Stopwatch.GetElapsedTime(due, sent).TotalMilliseconds;
            tasks.Add(Task.Run(async () =>
            {
                try
                {
                    var (status, body) = await SendAsync(client, url, requests[index], CancellationToken.None);
                    if (status == HttpStatusCode.OK && body.Contains(BusyMarker, StringComparison.Ordinal))
                    {
                        // Load shedding: the caller heard the polite "all lines busy" announcement.
                        Interlocked.Increment(ref shed);
                    }
                    else if (status == HttpStatusCode.OK)
                    {
                        latencies[index] = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
                    }
                    else
                    {
                        firstError ??= $"HTTP {(int)status} {body[..Math.Min(body.Length, 200)]}";
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    firstError ??= ex.Message;
                }
                finally
                {
                    Interlocked.Decrement(ref outstanding);
                }
            }));
        }

        await Task.WhenAll(tasks).WaitAsync(RequestTimeout + TimeSpan.FromSeconds(30));
        var elapsed = Stopwatch.GetElapsedTime(start);
        var share = cpu.Stop();

        // The probe (index 0) is not part of the figures.
        var measured = latencies.Skip(1).ToArray();
        var sorted = measured.Where(l => !double.IsNaN(l)).Order().ToArray();
        var lagP99 = Percentiles.Of(lags.Skip(1).Order().ToArray(), 99);
        var result = new WebhookResult(name, rate, measured.Length, sorted.Length,
            Percentiles.Of(sorted, 50), Percentiles.Of(sorted, 95), Percentiles.Of(sorted, 99), sorted.Length == 0 ? double.NaN : sorted[^1],
            sorted.Length / elapsed.TotalSeconds, lagP99, share.OwnPercent, database is null ? double.NaN : share.CompanionPercent, share.OthersPercent, firstError)
        {
            Shed = shed,
        };
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {name} at {rate}/s: {result.Succeeded}/{result.Requests} ok, {shed} busy at {result.AchievedRate:0} req/s, p50 {result.P50Ms:0.00} ms, p95 {result.P95Ms:0.00} ms, p99 {result.P99Ms:0.00} ms, max {result.MaxMs:0.0} ms, dispatch lag p99 {lagP99:0.0} ms, CPU {share.OwnPercent:0}%{(database is null ? "" : $", PostgreSQL {share.CompanionPercent:0}%")}, others {share.OthersPercent:0}%{(firstError is null ? "" : $", first error: {firstError}")}"));
        return result;
    }

    /// <summary>A word of the app's "all lines busy" announcement (Telephony.Busy), which marks a shed call.</summary>
    public const string BusyMarker = "Leitungen";

    private static async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpClient client, Uri url, SignedWebhook webhook, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(webhook.Body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        request.Headers.Add("X-Twilio-Signature", webhook.Signature);
        request.Headers.Add("I-Twilio-Idempotency-Token", Guid.NewGuid().ToString());
        using var response = await client.SendAsync(request, ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(ct));
    }
}
