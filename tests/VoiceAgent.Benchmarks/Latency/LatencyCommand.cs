using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using VoiceAgent.Benchmarks.Load;
using VoiceAgent.Platform.Audio;
using VoiceAgent.Telephony.Twilio;
using VoiceAgent.Testing;
using VoiceAgent.Testing.Fakes;

namespace VoiceAgent.Benchmarks.Latency;

/// <summary>
/// B5: mouth-to-ear time of a realtime call — end of the caller's speech (the last speech frame sent) to the first agent
/// audio frame back — over the real media-stream path (the real app on Kestrel, PostgreSQL, Twilio's protocol paced at
/// 20 ms), with a fake OpenAI that follows a latency profile (<see cref="FakeLatencyProfile"/>). The sequential pipeline
/// (Telephony:Pipeline=sequential, the behaviour before streaming) is the baseline, measured in the same run with the same
/// profile; "platform" is the streaming time minus the provider time on its critical path. A third pass runs the same
/// calls in a tenant's OpenAI Realtime mode (speech to speech over the fake Realtime WebSocket, its server VAD on the
/// caller's audio).
/// </summary>
internal static class LatencyCommand
{
    private const string AuthToken = "0123456789abcdef0123456789abcdef";
    private const string Number = "+49301111111";

    /// <summary>The caller's words (a finished sentence: the streaming pipeline may end the turn at the short pause).</summary>
    private const string CallerSays = "Ich möchte einen Termin am Dienstag.";

    /// <summary>The model's answer: a short first sentence, then more (streamed word by word when asked to). The number
    /// keeps answers apart (no speech-cache hits) and stays inside the sentence: "Anfrage 3." would read as an ordinal
    /// ("am 3. Dezember") to the phrase splitter and glue the first two sentences together.</summary>
    private static readonly string ModelSays = Answer(0);

    private static string Answer(int n) =>
        string.Create(CultureInfo.InvariantCulture, $"Gern, Anfrage {n} geht klar. An welchem Tag passt es Ihnen am besten? Ich schaue dann gleich im Kalender nach.");

    /// <summary>What the fake speech model says in Realtime mode: one second of μ-law (greeting and every answer).</summary>
    private const int RealtimeAnswerFrames = 50;

    /// <summary>The pipelines measured; "realtime" = the streaming pipeline's app with the tenant in OpenAI Realtime mode.</summary>
    public const string Sequential = "sequential", Streaming = "streaming", Realtime = "realtime";

    /// <summary>The answer's lines in the streaming pipeline (phrase by phrase; the sequential one says it as one line), one mark each.</summary>
    private static readonly int AnswerLines = Phrases(ModelSays).Count;

    private static List<string> Phrases(string text)
    {
        var splitter = new VoiceAgent.CallFlows.PhraseSplitter();
        var phrases = splitter.Push(text).ToList();
        if (splitter.Flush() is { } rest)
        {
            phrases.Add(rest);
        }

        return phrases;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var quick = args.Contains("--quick");
        var profilePath = CommandArgs.Text(args, "--profile") ?? Path.Combine(AppContext.BaseDirectory, "Latency", "latency-profile.json");
        var profile = FakeLatencyProfile.Load(profilePath);
        var calls = CommandArgs.Int(args, "--calls", quick ? 3 : 100);
        var turns = CommandArgs.Int(args, "--turns", quick ? 2 : 3);
        Console.WriteLine($"B5 latency: {calls} concurrent calls × {turns} turns per pipeline, profile {Path.GetFileName(profilePath)}: " +
            JsonSerializer.Serialize(profile));

        var baseline = await MeasureAsync(Sequential, profile, calls, turns);
        var streaming = await MeasureAsync(Streaming, profile, calls, turns);
        var realtime = await MeasureAsync(Realtime, profile, calls, turns);
        var providerPath = ProviderCriticalPath(profile);
        var platform = streaming.Select(ms => ms - providerPath.TotalMilliseconds).Order().ToArray();

        var baseP50 = Percentiles.Of([.. baseline.Order()], 50);
        var streamP50 = Percentiles.Of([.. streaming.Order()], 50);
        Report("sequential (baseline)", baseline);
        Report("streaming", streaming);
        Report("realtime (OpenAI)", realtime);
        Console.WriteLine($"  provider time on the streaming critical path: {providerPath.TotalMilliseconds:F0} ms " +
            "(pause window + streaming transcription's final result + first token + first phrase + first audio byte)");
        Console.WriteLine($"  platform (streaming − provider): p50 {Percentiles.Of(platform, 50):F0} ms, p99 {Percentiles.Of(platform, 99):F0} ms");
        Console.WriteLine($"  realtime provider path: {300 + profile.RealtimeFirstAudioMs} ms (server VAD silence 300 ms + first audio delta)");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"B5 streaming/baseline p50 = {100 * streamP50 / baseP50:F0} %, streaming p50 = {streamP50:F0} ms, realtime p50 = {Percentiles.Of([.. realtime.Order()], 50):F0} ms, platform p99 = {Percentiles.Of(platform, 99):F0} ms"));
        return 0;
    }

    /// <summary>What the streaming pipeline must wait for before its first frame, by the profile: the short end-of-turn
    /// window, the streaming transcription's final result after the commit, the model's first token and the rest of the
    /// first phrase, synthesis' first bytes.</summary>
    public static TimeSpan ProviderCriticalPath(FakeLatencyProfile profile)
    {
        var firstPhraseWords = Phrases(ModelSays)[0].Split(' ').Length;
        return TimeSpan.FromMilliseconds(300 + profile.StreamingTranscriptionMs + profile.ModelFirstTokenMs + profile.SpeechFirstByteMs)
            + profile.TokenTime(firstPhraseWords - 1);
    }

    private static void Report(string name, IReadOnlyList<double> ms)
    {
        var sorted = ms.Order().ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {name,-22} turns {sorted.Length,4}  p50 {Percentiles.Of(sorted, 50),6:F0} ms  p90 {Percentiles.Of(sorted, 90),6:F0} ms  p99 {Percentiles.Of(sorted, 99),6:F0} ms"));
    }

    /// <summary>Runs <paramref name="calls"/> concurrent calls against a fresh app with the given pipeline; returns every
    /// answered turn's mouth-to-ear milliseconds.</summary>
    public static async Task<List<double>> MeasureAsync(string pipeline, FakeLatencyProfile profile, int calls, int turns)
    {
        await using var openAi = await FakeOpenAiServer.StartAsync();
        openAi.Latency = profile;
        openAi.TranscribeWith(_ => new FakeTranscriptionReply.Transcript(CallerSays));
        // Every answer differs from the last (as a model's do), so no synthesis comes from the speech cache.
        var answers = 0;
        openAi.ChatWith(_ => new FakeChatReply.Completion(Answer(Interlocked.Increment(ref answers)), "book_appointment"));
        openAi.Realtime.Latency = profile;
        openAi.Realtime.DetectEveryTurnInAudio(CallerSays);
        openAi.Realtime.DefaultResponse = new FakeRealtimeResponse([.. Enumerable.Repeat((byte)0x55, RealtimeAnswerFrames * AudioFrames.FrameBytes)], ModelSays);
        Func<Caller, int, CancellationToken, Task> listen = pipeline switch
        {
            // The answer's lines play to their marks (one per phrase; the sequential pipeline says it as one line).
            Streaming => (caller, _, ct) => caller.SilenceUntilMarksAsync(AnswerLines, ct),
            Sequential => (caller, _, ct) => caller.SilenceUntilMarksAsync(1, ct),
            // Realtime audio passes through without marks: the answer is over when its frames arrived.
            _ => (caller, before, ct) => caller.SilenceUntilFramesAsync(before + RealtimeAnswerFrames, ct),
        };
        var database = await PostgresServer.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Logging__Console__LogLevel__Default"] = "None",
            ["Telephony__Mode"] = "realtime",
            ["Telephony__Pipeline"] = pipeline == Sequential ? Sequential : Streaming,
            // A model that streams: the streaming pipeline transcribes over a Realtime transcription session (the
            // sequential baseline uploads whole utterances whatever the setting).
            ["OpenAi__TranscriptionModel"] = "gpt-4o-mini-transcribe",
            ["OpenAi__StreamingTranscription"] = "true",
            ["OpenAi__Endpoint"] = openAi.Endpoint.ToString(),
            // Every caller number is new; the robocall guard and the setup limit are not what this measures.
            ["RateLimits__CallsPerCallerPerHour"] = "100000",
            ["RateLimits__CallSetupsPerTenantPerMinute"] = "100000",
            ["RateLimits__ApiCallsPerTenantPerMinute"] = "100000",
            ["Telephony__MaxConcurrentCallSetups"] = "200",
            ["Telephony__CallSetupWait"] = "00:01:00",
        };
        foreach (var (key, value) in settings)
        {
            Environment.SetEnvironmentVariable(key, value);
        }

        try
        {
            await using var factory = new VoiceAgentFactory(database, "Production");
            var origin = RealApp.StartOnLoopback(factory);
            await factory.CreateSuperAdminAsync();
            var admin = await factory.LoginAsAdminAsync();
            (await admin.PutAsJsonAsync("/api/admin/settings/twilio.auth_token", new { value = AuthToken })).EnsureSuccessStatusCode();
            (await admin.PutAsJsonAsync("/api/admin/settings/openai.api_key", new { value = "sk-test-" + new string('k', 40) })).EnsureSuccessStatusCode();
            var (tenantId, tenantAdmin) = await factory.ApprovedTenantAsync("chef@praxis-latenz.de", "Praxis Latenz");
            await factory.SeedSampleFlowAsync(tenantId);
            var created = await tenantAdmin.PostAsJsonAsync("/api/flows", new { name = "Latenz", definition = ConversationFlows.AskLoop("Latenz") });
            created.EnsureSuccessStatusCode();
            var flowId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            (await tenantAdmin.PostAsync($"/api/flows/{flowId}/versions/1/publish", null)).EnsureSuccessStatusCode();
            (await tenantAdmin.PostAsJsonAsync("/api/tenant/numbers", new { number = Number, region = "DE", flowId })).EnsureSuccessStatusCode();
            if (pipeline == Realtime)
            {
                (await tenantAdmin.PutAsJsonAsync("/api/tenant/speech", new { provider = "OpenAiRealtime", voice = "coral" })).EnsureSuccessStatusCode();
            }

            using var http = new HttpClient { BaseAddress = new Uri(origin) };
            var results = await Task.WhenAll(Enumerable.Range(0, calls).Select(i => CallAsync(http, origin, i, turns, pipeline == Realtime, listen)));
            var failed = results.Count(r => r.Count < turns);
            if (failed > 0)
            {
                Console.WriteLine($"  {pipeline}: {failed} of {calls} calls did not answer every turn");
            }

            return [.. results.SelectMany(r => r)];
        }
        finally
        {
            foreach (var key in settings.Keys)
            {
                Environment.SetEnvironmentVariable(key, null);
            }

            database.Stop();
        }
    }

    /// <summary>One caller: the webhook, the stream, the greeting played to its marks, then <paramref name="turns"/>
    /// utterances, each timed from its last speech frame to the first agent frame after it.</summary>
    private static async Task<List<double>> CallAsync(HttpClient http, string origin, int index, int turns, bool realtime,
        Func<Caller, int, CancellationToken, Task> listen)
    {
        var callSid = string.Create(CultureInfo.InvariantCulture, $"CA{index:x32}");
        var from = string.Create(CultureInfo.InvariantCulture, $"+49170{1000000 + index}");
        var form = new Dictionary<string, string> { ["CallSid"] = callSid, ["From"] = from, ["To"] = Number, ["CallStatus"] = "ringing" };
        using var request = new HttpRequestMessage(HttpMethod.Post, RealApp.VoicePath) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("X-Twilio-Signature", TwilioSignature.Compute(AuthToken, origin + RealApp.VoicePath, form));
        var twiml = XDocument.Parse(await (await http.SendAsync(request)).Content.ReadAsStringAsync());
        var stream = twiml.Descendants("Stream").Single();
        var token = stream.Elements("Parameter").Single(p => p.Attribute("name")?.Value == "token").Attribute("value")!.Value;

        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri(stream.Attribute("url")!.Value), CancellationToken.None);
        var caller = new Caller(socket);
        await caller.SendAsync(new
        {
            @event = "start", sequenceNumber = "1", streamSid = "MZ" + index,
            start = new
            {
                streamSid = "MZ" + index, accountSid = TwilioStreamMessages.AccountSid, callSid, tracks = new[] { "inbound" },
                customParameters = new Dictionary<string, string> { ["token"] = token },
                mediaFormat = new { encoding = "audio/x-mulaw", sampleRate = 8000, channels = 1 },
            },
        });

        var latencies = new List<double>();
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            // The line is silent while the greeting plays (two lines: AI disclosure and greeting, a mark each; in Realtime
            // mode the model says both).
            await (realtime ? caller.SilenceUntilFramesAsync(RealtimeAnswerFrames, guard.Token) : caller.SilenceUntilMarksAsync(2, guard.Token));
            for (var turn = 0; turn < turns; turn++)
            {
                var before = caller.MediaFrames;
                await caller.SpeakAsync(40, guard.Token);
                var spoken = Stopwatch.GetTimestamp();
                var first = await caller.SilenceUntilMediaAsync(before, guard.Token);
                latencies.Add(Stopwatch.GetElapsedTime(spoken, first).TotalMilliseconds);
                // Listen until the agent is done.
                await listen(caller, before, guard.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // A call that stopped answering: its turns so far count, the rest is reported as missing.
        }

        await caller.CloseAsync();
        return latencies;
    }

    /// <summary>Twilio's side, paced like a phone line: one 20 ms frame every 20 ms, marks echoed when they arrive.</summary>
    private sealed class Caller
    {
        private static readonly byte[] SilentFrame = CallerAudio.SilentFrame;
        private static readonly byte[][] SpeechFrames = CallerAudio.SpeechFrames;

        private readonly WebSocket socket;
        private readonly Task reader;
        private readonly Lock gate = new();
        private readonly Queue<string> marks = new();
        private int chunk;
        private int media;
        private long firstMediaAfter = long.MaxValue;
        private int watchFrom = int.MaxValue;

        public Caller(WebSocket socket)
        {
            this.socket = socket;
            reader = Task.Run(ReadAsync);
        }

        public int MediaFrames => Volatile.Read(ref media);

        public Task SendAsync(object message) =>
            socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(message), WebSocketMessageType.Text, true, CancellationToken.None);

        public async Task SpeakAsync(int frames, CancellationToken ct)
        {
            for (var i = 0; i < frames; i++)
            {
                await FrameAsync(SpeechFrames[i % SpeechFrames.Length], ct);
            }
        }

        /// <summary>Silence until a media frame past <paramref name="before"/> arrives; returns its arrival timestamp.</summary>
        public async Task<long> SilenceUntilMediaAsync(int before, CancellationToken ct)
        {
            lock (gate)
            {
                watchFrom = before;
                firstMediaAfter = MediaFrames > before ? Stopwatch.GetTimestamp() : long.MaxValue;
            }

            while (true)
            {
                lock (gate)
                {
                    if (firstMediaAfter != long.MaxValue)
                    {
                        watchFrom = int.MaxValue;
                        return firstMediaAfter;
                    }
                }

                await FrameAsync(SilentFrame, ct);
            }
        }

        /// <summary>Silence until <paramref name="count"/> media frames arrived in all.</summary>
        public async Task SilenceUntilFramesAsync(int count, CancellationToken ct)
        {
            while (MediaFrames < count)
            {
                await FrameAsync(SilentFrame, ct);
            }
        }

        public async Task SilenceUntilMarksAsync(int count, CancellationToken ct)
        {
            var echoed = 0;
            while (echoed < count)
            {
                echoed += await EchoMarksAsync();
                await FrameAsync(SilentFrame, ct);
            }
        }

        private async Task<int> EchoMarksAsync()
        {
            var echoed = 0;
            while (true)
            {
                string? name;
                lock (gate)
                {
                    if (!marks.TryDequeue(out name))
                    {
                        return echoed;
                    }
                }

                await SendAsync(new { @event = "mark", streamSid = "MZ", mark = new { name } });
                echoed++;
            }
        }

        /// <summary>Sends one frame and waits out its 20 ms, as a phone line delivers audio.</summary>
        private async Task FrameAsync(byte[] frame, CancellationToken ct)
        {
            var due = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 50;
            chunk++;
            await socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(new
            {
                @event = "media", streamSid = "MZ", sequenceNumber = (chunk + 1).ToString(CultureInfo.InvariantCulture),
                media = new { track = "inbound", chunk = chunk.ToString(CultureInfo.InvariantCulture), timestamp = (chunk * 20).ToString(CultureInfo.InvariantCulture), payload = Convert.ToBase64String(frame) },
            }), WebSocketMessageType.Text, true, ct);
            var wait = due - Stopwatch.GetTimestamp();
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), ct);
            }
        }

        private async Task ReadAsync()
        {
            var buffer = new byte[64 * 1024];
            try
            {
                while (socket.State == WebSocketState.Open)
                {
                    using var message = new MemoryStream();
                    WebSocketReceiveResult result;
                    do
                    {
                        result = await socket.ReceiveAsync(buffer, CancellationToken.None);
                        message.Write(buffer, 0, result.Count);
                    }
                    while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }

                    var json = JsonNode.Parse(message.ToArray())!;
                    switch ((string?)json["event"])
                    {
                        case "media":
                            var now = Stopwatch.GetTimestamp();
                            lock (gate)
                            {
                                if (++media > watchFrom && firstMediaAfter == long.MaxValue)
                                {
                                    firstMediaAfter = now;
                                }
                            }

                            break;
                        case "mark":
                            lock (gate)
                            {
                                marks.Enqueue((string)json["mark"]!["name"]!);
                            }

                            break;
                    }
                }
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
            {
                // The app ended the stream.
            }
        }

        public async Task CloseAsync()
        {
            try
            {
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
            {
                // Already closed.
            }

            await reader.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }
}
