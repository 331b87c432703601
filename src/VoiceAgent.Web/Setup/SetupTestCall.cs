using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Security;
using VoiceAgent.Telephony;
using VoiceAgent.Telephony.Twilio;

namespace VoiceAgent.Web.Setup;

/// <summary>One line of the test call's transcript: who spoke and what.</summary>
public sealed record TestCallLine(bool Caller, string Text);

/// <summary>Where the test call stands after a turn.</summary>
public enum TestCallState
{
    /// <summary>The agent listens (a speech &lt;Gather&gt;): the caller may say something.</summary>
    Listening,

    /// <summary>The agent hung up or handed the call over.</summary>
    Ended,
}

/// <summary>Who the test call dials, how to sign as the number's Twilio account, and where the app answers.</summary>
/// <param name="Transport">Where requests go (this app, as the browser reached it).</param>
/// <param name="SignedOrigin">The origin Twilio would have called (Telephony:PublicBaseUrl, else <paramref name="Transport"/>): signatures cover it.</param>
public sealed record TestCallTarget(Uri Transport, Uri SignedOrigin, string To, string AccountSid, string AuthToken);

/// <summary>
/// The setup wizard's test call (issue #15): a caller played against this app over the real Twilio webhook path, as
/// <c>voiceagent call simulate</c> does in gather mode — the signed voice webhook, then each caller sentence as the
/// <c>SpeechResult</c> of the speech &lt;Gather&gt; the answer asked for, and the status callback when it ends, so the call
/// is recorded, billed and booked like any other. One instance per test call (it keeps the call's SID and next action).
/// A realtime answer (&lt;Connect&gt;&lt;Stream&gt;) is reported as such: that path needs audio, which the CLI simulator plays.
/// </summary>
public sealed class SetupTestCall(HttpClient http, TestCallTarget target, TimeProvider time)
{
    /// <summary>The caller number of test calls (the CLI simulator's too); the call list shows it like any caller's.</summary>
    public const string TestCaller = "+4915100000000";

    private readonly List<TestCallLine> transcript = [];
    private readonly string callSid = "CA" + Guid.NewGuid().ToString("N");
    private Uri? gatherAction;
    private DateTimeOffset startedAt;

    public IReadOnlyList<TestCallLine> Transcript => transcript;

    public string CallSid => callSid;

    public TestCallState State { get; private set; } = TestCallState.Ended;

    /// <summary>True when the app answered with a media stream (realtime mode) instead of a speech gather.</summary>
    public bool Realtime { get; private set; }

    /// <summary>Rings the number: the voice webhook, then the agent's first lines.</summary>
    /// <exception cref="TestCallException">The app refused or did not answer with TwiML (German message).</exception>
    public async Task StartAsync(CancellationToken ct)
    {
        startedAt = time.GetUtcNow();
        var answer = await PostAsync("/telephony/twilio/voice", Fields("ringing"), ct);
        Take(answer);
    }

    /// <summary>Says <paramref name="text"/> to the agent (Twilio's speech recognition result) and takes the answer.</summary>
    public async Task SayAsync(string text, CancellationToken ct)
    {
        if (State != TestCallState.Listening || gatherAction is null)
        {
            throw new InvalidOperationException("The agent is not listening.");
        }

        transcript.Add(new TestCallLine(true, text));
        var fields = Fields("in-progress");
        fields.Add(new("SpeechResult", text));
        fields.Add(new("Confidence", "0.9"));
        Take(await PostAsync(gatherAction.PathAndQuery, fields, ct));
    }

    /// <summary>Ends the call as the caller hanging up: Twilio's status callback with the duration.</summary>
    public async Task HangUpAsync(CancellationToken ct)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling((time.GetUtcNow() - startedAt).TotalSeconds));
        var fields = Fields("completed");
        fields.Add(new("CallDuration", seconds.ToString(CultureInfo.InvariantCulture)));
        await PostAsync("/telephony/twilio/status", fields, ct, expectTwiml: false);
        State = TestCallState.Ended;
    }

    private void Take(TwimlAnswer answer)
    {
        transcript.AddRange(answer.Says.Select(s => new TestCallLine(false, s)));
        Realtime = answer.Stream is not null;
        gatherAction = answer.GatherAction;
        State = gatherAction is null ? TestCallState.Ended : TestCallState.Listening;
    }

    private List<KeyValuePair<string, string>> Fields(string status) =>
    [
        new("CallSid", callSid),
        new("AccountSid", target.AccountSid),
        new("From", TestCaller),
        new("To", target.To),
        new("CallStatus", status),
        new("Direction", "inbound"),
        new("ApiVersion", "2010-04-01"),
    ];

    private async Task<TwimlAnswer> PostAsync(string pathAndQuery, List<KeyValuePair<string, string>> fields, CancellationToken ct,
        bool expectTwiml = true)
    {
        var url = new Uri(target.Transport, pathAndQuery);
        var signed = new Uri(target.SignedOrigin, pathAndQuery);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(fields) };
        request.Headers.Add("X-Twilio-Signature", TwilioSignature.Compute(target.AuthToken, signed.AbsoluteUri, fields));
        HttpResponseMessage response;
        string body;
        try
        {
            response = await http.SendAsync(request, ct);
            body = await response.Content.ReadAsStringAsync(ct);
        }
        catch (HttpRequestException ex)
        {
            throw new TestCallException(TestCallError.Unreachable, ex);
        }
        catch (TaskCanceledException ex) when (!ct.IsCancellationRequested)
        {
            throw new TestCallException(TestCallError.Unreachable, ex);
        }

        using (response)
        {
            if (response.StatusCode == HttpStatusCode.Forbidden)
            {
                throw new TestCallException(TestCallError.Refused);
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new TestCallException(TestCallError.Failed);
            }
        }

        try
        {
            return expectTwiml ? TwimlAnswer.Parse(body, url) : TwimlAnswer.Empty;
        }
        catch (FormatException ex)
        {
            throw new TestCallException(TestCallError.Failed, ex);
        }
    }
}

/// <summary>Why a test call could not go on (the page names it in German).</summary>
public enum TestCallError
{
    Unreachable,
    Refused,
    Failed,
}

public sealed class TestCallException(TestCallError error, Exception? inner = null) : Exception(error.ToString(), inner)
{
    public TestCallError Error { get; } = error;
}

/// <summary>Resolves who a wizard's test call signs as: the number's Twilio account (the platform's or the tenant's own).</summary>
public sealed class SetupTestCallTargets(SettingsStore settings, TwilioAccounts accounts, IOptions<TelephonyOptions> options)
{
    /// <param name="transport">This app as the browser reached it (the test call's requests go there).</param>
    /// <returns>Null when the number's Twilio account has no credentials (the page says so).</returns>
    public async Task<TestCallTarget?> ForAsync(SetupWizardState state, Uri transport, CancellationToken ct)
    {
        if (state.Number is null || state.NumberAccount == SetupNumberAccounts.Sipgate)
        {
            return null;
        }

        var sid = state.NumberAccount == SetupNumberAccounts.OwnTwilio
            ? (await accounts.GetAsync(ct))?.AccountSid
            : await settings.GetAsync(TwilioAccounts.AccountSidSetting, ct);
        if (string.IsNullOrEmpty(sid) || await accounts.ForWebhookAsync(sid, ct) is not { } signing)
        {
            return null;
        }

        var origin = options.Value.PublicBaseUrl is { } configured ? new Uri(configured.GetLeftPart(UriPartial.Authority)) : transport;
        return new TestCallTarget(transport, origin, state.Number, sid, signing.Credentials.AuthToken);
    }
}
