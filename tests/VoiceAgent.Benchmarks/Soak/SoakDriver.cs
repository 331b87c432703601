using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Xml;
using System.Xml.Linq;
using VoiceAgent.Benchmarks.Load;
using VoiceAgent.Testing.Cluster;
using VoiceAgent.Testing.Fakes;

namespace VoiceAgent.Benchmarks.Soak;

/// <summary>A tenant of the soak: its bound number, its admin's bearer token, and whether its calls are media streams
/// (OpenAI speech) or gather calls (offline engines).</summary>
internal sealed record SoakTenant(string Number, string Token, bool Streams);

/// <summary>
/// The soak's load, all of it at once until the duration is up: <see cref="SoakOptions.Streams"/> media-stream calls kept
/// going (a new call as soon as one ends), gather calls started at a fixed rate whatever the answers do (open loop), and
/// portal users polling the tenant API. Webhooks go round robin over the instances as a load balancer would send them,
/// and a stream opens on another instance than the one whose TwiML issued its token. Calls in flight at the end finish.
/// </summary>
internal sealed class SoakDriver(IReadOnlyList<Uri> instances, IReadOnlyList<SoakTenant> tenants, SoakStats stats, SoakOptions options)
{
    public const string VoicePath = "/telephony/twilio/voice";
    private const string StatusPath = "/telephony/twilio/status";

    /// <summary>What the callers say: a booking request, then "no" to the offered slot (so nothing is booked and the
    /// sandbox calendar never fills up over a long soak). The fake OpenAI tells them apart by the utterance's length.</summary>
    public const string FirstUtterance = "Ich möchte einen Termin vereinbaren.", SecondUtterance = "Nein, danke.";

    /// <summary>Speech frames of the two utterances (2 s and 0.5 s); see <see cref="Transcribe"/>.</summary>
    private const int FirstSpeechFrames = 100, SecondSpeechFrames = 25;

    /// <summary>After the agent's last mark, this much quiet means the agent has finished its turn.</summary>
    private static readonly TimeSpan QuietAfterMark = TimeSpan.FromMilliseconds(800);

    /// <summary>A gather caller's pause between the agent's prompt and their answer (Twilio posts the answer then).</summary>
    private static readonly TimeSpan GatherThinkTime = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan PortalPollInterval = TimeSpan.FromSeconds(5);
    private static readonly string[] PortalPaths = ["/api/tenant/calls", "/api/tenant/numbers", "/api/tenant", "/api/tenant/speech"];

    private readonly HttpClient http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) }) { Timeout = TimeSpan.FromSeconds(30) };
    private int next;
    private long calls;

    /// <summary>The fake OpenAI's transcription: the long utterance is the booking request, the short one the "no".
    /// The audio sent includes the pre-roll and the pause after the speech, so 1.6 s lies between the two.</summary>
    public static FakeTranscriptionReply Transcribe(FakeTranscriptionRequest request) =>
        new FakeTranscriptionReply.Transcript(request.Wav?.Duration > TimeSpan.FromSeconds(1.6) ? FirstUtterance : SecondUtterance);

    public async Task RunAsync(CancellationToken stop)
    {
        var streamTenants = tenants.Where(t => t.Streams).ToList();
        var gatherTenants = tenants.Where(t => !t.Streams).ToList();
        var work = new List<Task>();
        for (var s = 0; s < options.Streams && streamTenants.Count > 0; s++)
        {
            var tenant = streamTenants[s % streamTenants.Count];
            // Spread the first calls over a few seconds, as callers arrive.
            var delay = TimeSpan.FromMilliseconds(150 * s);
            work.Add(Task.Run(() => StreamLoopAsync(tenant, delay, stop)));
        }

        if (options.GatherPerMinute > 0 && gatherTenants.Count > 0)
        {
            work.Add(Task.Run(() => GatherScheduleAsync(gatherTenants, stop)));
        }

        for (var u = 0; u < options.PortalUsers && tenants.Count > 0; u++)
        {
            var tenant = tenants[u % tenants.Count];
            var delay = TimeSpan.FromMilliseconds(900 * u);
            work.Add(Task.Run(() => PortalUserAsync(tenant, delay, stop)));
        }

        await Task.WhenAll(work);
    }

    private Uri NextInstance() => instances[(int)((uint)Interlocked.Increment(ref next) % (uint)instances.Count)];

    private string NewCallSid() => string.Create(CultureInfo.InvariantCulture, $"CA{Environment.ProcessId:x8}{Interlocked.Increment(ref calls):x24}");

    /// <summary>A different caller every call: the per-caller limit (10 calls an hour) is for robocallers, not for a soak.</summary>
    private static string NewCaller() => "+49170" + Random.Shared.Next(1_000_000, 9_999_999).ToString(CultureInfo.InvariantCulture);

    private static async Task PauseAsync(TimeSpan delay, CancellationToken ct)
    {
        try
        {
            await Task.Delay(delay, ct);
        }
        catch (OperationCanceledException)
        {
            // The soak is over.
        }
    }

    private async Task StreamLoopAsync(SoakTenant tenant, TimeSpan delay, CancellationToken stop)
    {
        await PauseAsync(delay, stop);
        while (!stop.IsCancellationRequested)
        {
            if (!await StreamCallAsync(tenant))
            {
                // After a failure, not straight into the next one (a broken instance would be hammered).
                await PauseAsync(TimeSpan.FromSeconds(1), stop);
            }
        }
    }

    /// <summary>One realtime call: the voice webhook's <c>&lt;Connect&gt;&lt;Stream&gt;</c>, the stream on the next instance,
    /// the greeting, two caller turns timed from their last speech frame to the agent's first frame, the caller hanging
    /// up (<c>stop</c>), the app closing the stream normally, and the status callback.</summary>
    private async Task<bool> StreamCallAsync(SoakTenant tenant)
    {
        var callSid = NewCallSid();
        var from = NewCaller();
        var began = Stopwatch.GetTimestamp();
        var twiml = await TwimlAsync(SoakStats.StreamWebhook, VoicePath, ClusterApi.Inbound(callSid, tenant.Number, from));
        if (twiml is null)
        {
            return false;
        }

        var stream = twiml.Descendants("Stream").SingleOrDefault();
        var token = stream?.Elements("Parameter").SingleOrDefault(p => p.Attribute("name")?.Value == "token")?.Attribute("value")?.Value;
        if (token is null)
        {
            stats.Error("unexpected TwiML", $"voice (stream tenant): no <Stream> with a token: {Shorten(twiml.ToString(SaveOptions.DisableFormatting))}");
            return false;
        }

        var ok = await StreamAsync(NextInstance(), callSid, token);
        var seconds = (int)Math.Ceiling(Stopwatch.GetElapsedTime(began).TotalSeconds);
        ok &= await StatusAsync(SoakStats.StreamWebhook, callSid, seconds);
        if (ok)
        {
            stats.StreamCallCompleted();
        }

        return ok;
    }

    private async Task<bool> StreamAsync(Uri instance, string callSid, string token)
    {
        using var socket = new ClientWebSocket();
        TwilioMediaCaller? caller = null;
        using var hangUp = new CancellationTokenSource();
        Task pacing = Task.CompletedTask;
        var stage = "connect";
        try
        {
            await socket.ConnectAsync(new Uri($"ws://{instance.Authority}/telephony/media"), CancellationToken.None);
            caller = await TwilioMediaCaller.StartAsync(socket, callSid, token);
            var opened = Stopwatch.GetTimestamp();
            var line = new CallerLine(caller);
            pacing = line.RunAsync(hangUp.Token);

            stage = "greeting";
            await caller.WaitForAsync("media");
            stats.Record(SoakStats.Greeting, Stopwatch.GetElapsedTime(opened).TotalMilliseconds);
            await ListenToTheEndAsync(caller);
            foreach (var (frames, what) in new[] { (FirstSpeechFrames, "first turn"), (SecondSpeechFrames, "second turn") })
            {
                stage = what;
                var spoken = await line.SpeakAsync(frames);
                await caller.WaitForAsync("media");
                stats.Record(SoakStats.Turn, Stopwatch.GetElapsedTime(spoken).TotalMilliseconds);
                await ListenToTheEndAsync(caller);
            }

            // The caller hangs up: Twilio sends stop, the app finishes the call and closes the stream normally.
            stage = "hang-up";
            await hangUp.CancelAsync();
            await pacing;
            await caller.SendAsync(new { @event = "stop", sequenceNumber = "999999", streamSid = TwilioMediaCaller.StreamSid, stop = new { accountSid = "AC" + new string('1', 32), callSid } });
            await caller.WaitForAsync("closed");
            if (socket.CloseStatus != WebSocketCloseStatus.NormalClosure)
            {
                stats.Error("stream closed abnormally", $"{callSid} on {instance.Authority}: {socket.CloseStatus?.ToString() ?? "no close frame"} {socket.CloseStatusDescription}");
                return false;
            }

            return true;
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException or WebSocketException or IOException)
        {
            var kind = stage == "greeting" ? "stream without greeting" : ex is OperationCanceledException ? "stream: agent silent" : "stream failed";
            stats.Error(kind, $"{callSid} on {instance.Authority}, {stage}: {ex.GetType().Name}: {ex.Message}");
            return false;
        }
        finally
        {
            await hangUp.CancelAsync();
            await pacing.ContinueWith(_ => { }, TaskScheduler.Default);
            if (caller is not null)
            {
                await caller.DisposeAsync();
            }
        }
    }

    /// <summary>Plays the agent's lines to their marks (echoing each, as Twilio does) until no more audio follows a mark.</summary>
    private static async Task ListenToTheEndAsync(TwilioMediaCaller caller)
    {
        while (true)
        {
            await caller.PlayUntilMarkAsync();
            var frames = caller.MediaFramesReceived;
            await Task.Delay(QuietAfterMark);
            if (caller.MediaFramesReceived == frames)
            {
                return;
            }
        }
    }

    private async Task GatherScheduleAsync(IReadOnlyList<SoakTenant> gatherTenants, CancellationToken stop)
    {
        var interval = TimeSpan.FromMinutes(1) / options.GatherPerMinute;
        var started = Stopwatch.GetTimestamp();
        var running = new List<Task>();
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var tenant = gatherTenants[i % gatherTenants.Count];
            running.Add(Task.Run(() => GatherCallAsync(tenant)));
            running.RemoveAll(t => t.IsCompleted);
            var wait = interval * (i + 1) - Stopwatch.GetElapsedTime(started);
            if (wait > TimeSpan.Zero)
            {
                await PauseAsync(wait, stop);
            }
        }

        await Task.WhenAll(running);
    }

    /// <summary>One gather call: the voice webhook, two answers (<c>SpeechResult</c>), the status callback — each webhook
    /// on the next instance, each answered with a <c>&lt;Gather&gt;</c>.</summary>
    private async Task GatherCallAsync(SoakTenant tenant)
    {
        var callSid = NewCallSid();
        var from = NewCaller();
        var began = Stopwatch.GetTimestamp();
        var twiml = await TwimlAsync(SoakStats.GatherWebhook, VoicePath, ClusterApi.Inbound(callSid, tenant.Number, from));
        foreach (var said in new[] { FirstUtterance, SecondUtterance })
        {
            var gather = twiml?.Descendants("Gather").FirstOrDefault();
            if (twiml is null || gather?.Attribute("action")?.Value is not { } action)
            {
                if (twiml is not null)
                {
                    stats.Error("unexpected TwiML", $"gather call before \"{said}\": no <Gather>: {Shorten(twiml.ToString(SaveOptions.DisableFormatting))}");
                }

                return;
            }

            await Task.Delay(GatherThinkTime);
            twiml = await TwimlAsync(SoakStats.GatherWebhook, ClusterApi.PathOf(action), new()
            {
                ["CallSid"] = callSid, ["From"] = from, ["To"] = tenant.Number, ["CallStatus"] = "in-progress",
                ["SpeechResult"] = said, ["Confidence"] = "0.92",
            });
        }

        if (twiml?.Descendants("Gather").Any() != true)
        {
            if (twiml is not null)
            {
                stats.Error("unexpected TwiML", $"gather call after the answers: no <Gather>: {Shorten(twiml.ToString(SaveOptions.DisableFormatting))}");
            }

            return;
        }

        if (await StatusAsync(SoakStats.GatherWebhook, callSid, (int)Math.Ceiling(Stopwatch.GetElapsedTime(began).TotalSeconds)))
        {
            stats.GatherCallCompleted();
        }
    }

    /// <summary>A signed webhook to the next instance, timed; the TwiML, or null after counting the error. An apology or
    /// the busy announcement counts as an error too: the soak must run without either.</summary>
    private async Task<XDocument?> TwimlAsync(string kind, string path, Dictionary<string, string> form)
    {
        var instance = NextInstance();
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await ClusterApi.PostAsync(instance, path, form, http);
            var body = await response.Content.ReadAsStringAsync();
            stats.Record(kind, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            if (!response.IsSuccessStatusCode)
            {
                stats.Error("webhook non-2xx", $"{path} on {instance.Authority}: {(int)response.StatusCode} {Shorten(body)}");
                return null;
            }

            var twiml = XDocument.Parse(body);
            var said = string.Join(" ", ClusterApi.Said(twiml));
            if (said.Contains("technische Störung", StringComparison.Ordinal) || said.Contains("belegt", StringComparison.Ordinal)
                || (twiml.Descendants("Hangup").Any() && path == VoicePath))
            {
                stats.Error("unexpected TwiML", $"{path} on {instance.Authority}: {Shorten(said)}");
                return null;
            }

            return twiml;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or XmlException)
        {
            stats.Error("webhook failed", $"{path} on {instance.Authority}: {ex.GetType().Name}: {ex.Message}");
            return null;
        }
    }

    private async Task<bool> StatusAsync(string kind, string callSid, int seconds)
    {
        var instance = NextInstance();
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await ClusterApi.PostAsync(instance, StatusPath, new()
            {
                ["CallSid"] = callSid, ["CallStatus"] = "completed", ["CallDuration"] = seconds.ToString(CultureInfo.InvariantCulture),
            }, http);
            stats.Record(kind, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            if (response.IsSuccessStatusCode)
            {
                return true;
            }

            stats.Error("webhook non-2xx", $"status on {instance.Authority}: {(int)response.StatusCode} {Shorten(await response.Content.ReadAsStringAsync())}");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            stats.Error("webhook failed", $"status on {instance.Authority}: {ex.GetType().Name}: {ex.Message}");
        }

        return false;
    }

    /// <summary>A tenant admin with the portal open: the tenant API's read endpoints every few seconds, round robin.</summary>
    private async Task PortalUserAsync(SoakTenant tenant, TimeSpan delay, CancellationToken stop)
    {
        await PauseAsync(delay, stop);
        while (!stop.IsCancellationRequested)
        {
            foreach (var path in PortalPaths)
            {
                var instance = NextInstance();
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(instance, path));
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tenant.Token);
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await http.SendAsync(request, CancellationToken.None);
                    await response.Content.ReadAsStringAsync(CancellationToken.None);
                    stats.Record(SoakStats.Portal, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    stats.PortalRequest();
                    if (!response.IsSuccessStatusCode)
                    {
                        stats.Error("portal non-2xx", $"GET {path} on {instance.Authority}: {(int)response.StatusCode}");
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    stats.Error("portal failed", $"GET {path} on {instance.Authority}: {ex.GetType().Name}: {ex.Message}");
                }
            }

            await PauseAsync(PortalPollInterval, stop);
        }
    }

    private static string Shorten(string text) => text.Length <= 240 ? text : text[..240] + " …";

    /// <summary>
    /// The caller's side of the line, paced like a phone line: a 20 ms frame every 20 ms on a fixed schedule — silence,
    /// or speech while an utterance is being said (<see cref="SpeakAsync"/>). Runs until the caller hangs up.
    /// </summary>
    private sealed class CallerLine(TwilioMediaCaller caller)
    {
        private readonly Lock gate = new();
        private int speechLeft;
        private int spokenFrames;
        private TaskCompletionSource<long>? saying;

        /// <summary>Says <paramref name="frames"/> frames of speech; completes with the timestamp of the last one sent.</summary>
        public Task<long> SpeakAsync(int frames)
        {
            var done = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (gate)
            {
                saying = done;
                speechLeft = frames;
            }

            return done.Task;
        }

        public async Task RunAsync(CancellationToken hangUp)
        {
            var period = Stopwatch.Frequency / 50;
            var due = Stopwatch.GetTimestamp();
            try
            {
                while (!hangUp.IsCancellationRequested)
                {
                    byte[] frame;
                    TaskCompletionSource<long>? finished = null;
                    lock (gate)
                    {
                        if (speechLeft > 0)
                        {
                            frame = CallerAudio.SpeechFrames[spokenFrames++ % CallerAudio.SpeechFrames.Length];
                            if (--speechLeft == 0)
                            {
                                (finished, saying) = (saying, null);
                            }
                        }
                        else
                        {
                            frame = CallerAudio.SilentFrame;
                        }
                    }

                    await caller.SendFramesAsync([frame]);
                    finished?.TrySetResult(Stopwatch.GetTimestamp());
                    due += period;
                    var wait = due - Stopwatch.GetTimestamp();
                    if (wait > 0)
                    {
                        await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), hangUp);
                    }
                    else if (wait < -5 * period)
                    {
                        due = Stopwatch.GetTimestamp(); // far behind (a starved machine): no burst to catch up
                    }
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
            {
                // Hung up, or the app ended the stream (the call's own wait reports that).
            }

            lock (gate)
            {
                saying?.TrySetCanceled();
            }
        }
    }
}
