using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using VoiceAgent.Platform.Audio;
using VoiceAgent.Telephony.Audio;
using VoiceAgent.Telephony.Twilio;

namespace VoiceAgent.Cli;

/// <summary>
/// Plays a caller against a running server over the Twilio protocol (API-CONTRACTS.md §1): the signed voice webhook,
/// then either Twilio's speech gather (the <c>--say</c> texts go to the Gather action as <c>SpeechResult</c>) or the
/// media stream, where the caller's audio goes out as μ-law frames and the agent's audio is counted and "played".
/// Prints every turn with its timing and a summary. Exit codes: 0 ok, 1 refused or unreachable.
/// </summary>
/// <param name="speak">Renders a <c>--say</c> text to 8 kHz μ-law (normally espeak-ng); only a media stream needs it.</param>
/// <param name="handler">The HTTP transport (tests, proxies); by default a plain socket handler.</param>
/// <param name="connect">Opens the media stream WebSocket; by default a <see cref="ClientWebSocket"/>.</param>
public sealed class CallSimulator(
    CallSimulatorSettings settings,
    Func<string, CancellationToken, Task<byte[]>> speak,
    HttpMessageHandler? handler = null,
    Func<Uri, CancellationToken, Task<WebSocket>>? connect = null)
{
    /// <summary>Twilio gives a webhook about 15 s before it gives up on it.</summary>
    private static readonly TimeSpan WebhookTimeout = TimeSpan.FromSeconds(15);

    internal static readonly CultureInfo German = CultureInfo.GetCultureInfo("de-DE");

    private readonly Stopwatch clock = new();
    private readonly List<int> latencies = [];

    public async Task<int> RunAsync(TextWriter stdout, TextWriter stderr, CancellationToken ct = default)
    {
        using var http = new HttpClient(handler ?? new SocketsHttpHandler(), disposeHandler: handler is null) { Timeout = WebhookTimeout };
        try
        {
            await RunCallAsync(http, stdout, stderr, ct);
            return 0;
        }
        catch (CallSimulatorException ex)
        {
            await stderr.WriteLineAsync(ex.Message);
            return 1;
        }
    }

    private async Task RunCallAsync(HttpClient http, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var voiceUrl = Endpoint("/telephony/twilio/voice");
        await stdout.WriteLineAsync($"Anruf {settings.CallSid}: {settings.From} → {settings.To} über {settings.BaseUrl.GetLeftPart(UriPartial.Authority)}");
        clock.Start();
        var (twiml, elapsed) = await PostAsync(http, voiceUrl, CallFields("ringing"), ct);

        string ending;
        if (twiml.Stream is { } stream)
        {
            await stdout.WriteLineAsync($"Modus: Realtime (Media Stream {stream.Url})");
            await stdout.WriteLineAsync($"  ↳ Webhook {elapsed} ms");
            ending = await RunStreamAsync(http, stream, stdout, ct);
        }
        else
        {
            await stdout.WriteLineAsync(twiml.GatherAction is null ? "Modus: keine Spracheingabe (TwiML ohne <Gather>)" : "Modus: Gather (Spracherkennung durch Twilio)");
            await PrintAgentAsync(stdout, twiml, elapsed, " (Webhook)");
            ending = await RunGatherAsync(http, twiml, stdout, stderr, ct);
        }

        var seconds = (int)Math.Ceiling(clock.Elapsed.TotalSeconds);
        var fields = CallFields("completed");
        fields.Add(new("CallDuration", seconds.ToString(CultureInfo.InvariantCulture)));
        await PostAsync(http, Endpoint("/telephony/twilio/status"), fields, ct, expectTwiml: false);
        await stdout.WriteLineAsync(ending);
        await stdout.WriteLineAsync(Summary(seconds));
    }

    private async Task<string> RunGatherAsync(HttpClient http, TwimlAnswer twiml, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        if (settings.Utterances.Any(u => u.Text is null))
        {
            await stderr.WriteLineAsync("Hinweis: --audio wird im Gather-Modus nicht gesendet (Twilio erkennt die Sprache selbst); nur die --say-Texte zählen.");
        }

        var texts = settings.Utterances.Where(u => u.Text is not null).Select(u => u.Text!).ToList();
        var said = 0;
        while (twiml.GatherAction is { } action && said < texts.Count)
        {
            await stdout.WriteLineAsync($"Anrufer: {texts[said]}");
            var fields = CallFields("in-progress");
            fields.Add(new("SpeechResult", texts[said]));
            fields.Add(new("Confidence", "0.9"));
            said++;
            (twiml, var elapsed) = await PostAsync(http, action, fields, ct);
            await PrintAgentAsync(stdout, twiml, elapsed);
        }

        return await EndingAsync(twiml, texts.Count - said, stdout);
    }

    private async Task<string> RunStreamAsync(HttpClient http, TwimlStreamTarget target, TextWriter stdout, CancellationToken ct)
    {
        // Render everything before the call: the agent would hear a long pause (and give up listening) otherwise.
        var audio = new List<(CallerUtterance Utterance, byte[] MuLaw)>();
        foreach (var utterance in settings.Utterances)
        {
            audio.Add((utterance, utterance.MuLaw ?? await speak(utterance.Text ?? "", ct)));
        }

        await stdout.WriteLineAsync("Zeiten: vom Ende der Anrufer-Sprache bis zum ersten Audio-Frame des Agenten (inkl. Pausenerkennung des Servers).");
        await using var stream = await CallSimulatorStream.OpenAsync(target, settings, connect, ct);
        var turn = await stream.ListenAsync(since: null, settings.ReplyTimeout, ct);
        await PrintAgentAsync(stdout, turn, "nach dem Stream-Start", greeting: true);
        var said = 0;
        while (!turn.Closed && said < audio.Count)
        {
            var (utterance, mulaw) = audio[said++];
            await stdout.WriteLineAsync($"Anrufer: {utterance.Label} [{Seconds((double)mulaw.Length / AudioFrames.SampleRate)} Audio]");
            var speechEnd = await stream.SpeakAsync(mulaw, ct);
            turn = await stream.ListenAsync(speechEnd, settings.ReplyTimeout, ct);
            await PrintAgentAsync(stdout, turn, "nach Ende der Anrufer-Sprache");
        }

        await stdout.WriteLineAsync($"Media Stream: {stream.FramesSent} Frames gesendet, {stream.FramesReceived} empfangen, {stream.MarksEchoed} Marks bestätigt.");
        if (!turn.Closed)
        {
            await stream.HangUpAsync(ct);
            return "Anrufer legt auf.";
        }

        await stream.CompleteCloseAsync(ct);
        if (target.ConnectAction is not { } action)
        {
            return "Agent hat den Media Stream beendet.";
        }

        // Twilio continues the call with the <Connect action> once the server closed the stream.
        var (next, elapsed) = await PostAsync(http, action, CallFields("in-progress"), ct);
        foreach (var line in next.Says)
        {
            await stdout.WriteLineAsync($"Agent: {line}");
        }

        await stdout.WriteLineAsync($"  ↳ Connect-Action nach dem Stream {elapsed} ms");
        return await EndingAsync(next, audio.Count - said, stdout);
    }

    private static async Task<string> EndingAsync(TwimlAnswer twiml, int unsaid, TextWriter stdout)
    {
        var left = unsaid > 0 ? $" ({unsaid} Äußerung(en) nicht mehr gesprochen)" : "";
        if (twiml.DialTarget is { } target)
        {
            await stdout.WriteLineAsync($"Agent verbindet weiter an {target} (wird nicht simuliert).");
            return "Anrufer legt auf." + left;
        }

        return twiml.GatherAction is not null ? "Anrufer legt auf." : "Agent hat aufgelegt." + left;
    }

    private async Task PrintAgentAsync(TextWriter stdout, TwimlAnswer twiml, int elapsedMs, string note = "")
    {
        if (twiml.Says.Count == 0)
        {
            await stdout.WriteLineAsync("Agent: (keine Ansage)");
        }

        foreach (var line in twiml.Says)
        {
            await stdout.WriteLineAsync($"Agent: {line}");
        }

        await stdout.WriteLineAsync($"  ↳ {elapsedMs} ms{note}");
        latencies.Add(elapsedMs);
    }

    private async Task PrintAgentAsync(TextWriter stdout, CallSimulatorStream.AgentTurn turn, string reference, bool greeting = false)
    {
        if (turn.Bytes == 0)
        {
            if (turn.Closed && greeting)
            {
                throw new CallSimulatorException(
                    $"Der Server hat den Media Stream ohne Ansage geschlossen ({turn.CloseReason}). Ist das Stream-Token abgelaufen (2 min) " +
                    "oder fehlt dem Server die Spracherkennung?");
            }

            if (turn.Closed)
            {
                await stdout.WriteLineAsync($"Agent: (keine Ansage; Stream geschlossen{(turn.CloseReason is { Length: > 0 } r ? ": " + r : "")})");
                return;
            }

            throw new CallSimulatorException(
                $"Keine Antwort des Agenten innerhalb von {settings.ReplyTimeout.TotalSeconds:0} s. Hat der Server die Sprache erkannt " +
                "(Spracherkennung/OpenAI-Schlüssel konfiguriert)?");
        }

        await stdout.WriteLineAsync($"Agent: [{Seconds((double)turn.Bytes / AudioFrames.SampleRate)} Audio]");
        await stdout.WriteLineAsync($"  ↳ erstes Audio {turn.LatencyMs} ms {reference}");
        latencies.Add(turn.LatencyMs);
    }

    private string Summary(int seconds)
    {
        var timing = latencies.Count == 0 ? "keine Zeiten"
            : $"Antwortzeit Ø {latencies.Average().ToString("0", German)} ms, min {latencies.Min()} ms, max {latencies.Max()} ms";
        return $"Zusammenfassung: {latencies.Count} Agent-Antwort(en), {timing}, Gesprächsdauer {Seconds(clock.Elapsed.TotalSeconds)} " +
               $"(gemeldet: {seconds} s).";
    }

    internal static string Seconds(double seconds) => seconds.ToString("0.0", German) + " s";

    private Uri Endpoint(string path) => new(settings.BaseUrl.AbsoluteUri.TrimEnd('/') + path);

    private List<KeyValuePair<string, string>> CallFields(string status) =>
    [
        new("CallSid", settings.CallSid),
        new("AccountSid", settings.AccountSid),
        new("From", settings.From),
        new("To", settings.To),
        new("CallStatus", status),
        new("Direction", "inbound"),
        new("ApiVersion", "2010-04-01"),
    ];

    /// <summary>A signed form POST as Twilio sends it; returns the parsed TwiML and the round trip in ms.</summary>
    private async Task<(TwimlAnswer Twiml, int ElapsedMs)> PostAsync(HttpClient http, Uri url, List<KeyValuePair<string, string>> fields,
        CancellationToken ct, bool expectTwiml = true)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(fields) };
        request.Headers.Add("X-Twilio-Signature", TwilioSignature.Compute(settings.AuthToken, url.AbsoluteUri, fields));
        var started = Stopwatch.GetTimestamp();
        HttpResponseMessage response;
        string body;
        try
        {
            response = await http.SendAsync(request, ct);
            body = await response.Content.ReadAsStringAsync(ct);
        }
        catch (HttpRequestException ex)
        {
            throw new CallSimulatorException($"Server nicht erreichbar ({url.GetLeftPart(UriPartial.Path)}): {ex.Message}", ex);
        }
        catch (TaskCanceledException ex) when (!ct.IsCancellationRequested)
        {
            throw new CallSimulatorException(
                $"Keine Antwort von {url.GetLeftPart(UriPartial.Path)} innerhalb von {WebhookTimeout.TotalSeconds:0} s (Twilio gäbe hier auf).", ex);
        }

        var elapsed = (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        using (response)
        {
            if (response.StatusCode == HttpStatusCode.Forbidden)
            {
                throw new CallSimulatorException(
                    $"Der Server hat den Webhook abgelehnt (403{ProblemTitle(body)}). Stimmt --auth-token mit der Einstellung " +
                    "twilio.auth_token des Servers überein? Ist Telephony:PublicBaseUrl gesetzt, muss --base-url diese Adresse sein.");
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new CallSimulatorException(
                    $"Der Server antwortete {(int)response.StatusCode} {response.ReasonPhrase}{ProblemTitle(body)} auf POST {url.GetLeftPart(UriPartial.Path)}.");
            }
        }

        try
        {
            return (expectTwiml ? TwimlAnswer.Parse(body, url) : TwimlAnswer.Empty, elapsed);
        }
        catch (FormatException ex)
        {
            throw new CallSimulatorException(ex.Message, ex);
        }
    }

    private static string ProblemTitle(string body)
    {
        try
        {
            using var problem = JsonDocument.Parse(body);
            return problem.RootElement.ValueKind == JsonValueKind.Object && problem.RootElement.TryGetProperty("title", out var title)
                ? ": " + title.GetString()?.TrimEnd('.')
                : "";
        }
        catch (JsonException)
        {
            return "";
        }
    }
}
