using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using VoiceAgent.Flows.Runtime;
using VoiceAgent.Platform.Numbers;
using VoiceAgent.Platform.Resources;
using VoiceAgent.Telephony;
using VoiceAgent.Telephony.Calls;
using VoiceAgent.Telephony.Setup;
using VoiceAgent.Telephony.Sipgate;
using VoiceAgent.Platform.Http;

namespace VoiceAgent.Telephony;

/// <summary>
/// sipgate.io push calls (API-CONTRACTS.md §2): one URL takes newCall, dtmf, answer and hangup pushes, told apart by
/// their event; every push is checked by <see cref="SipgatePushGuard"/> first. The push API carries no audio, so
/// the flow runs on keypad digits and what the agent says is played from <see cref="SipgatePrompts"/> WAV files.
/// <para>
/// sipgate takes one action per response, and a Play without Gather hands the call back to sipgate's normal routing
/// when it ends. So anything said before a transfer or a hang-up is played inside a short Gather; the dtmf push that
/// ends it (a key or the timeout) is answered with the Dial or Hangup.
/// </para>
/// </summary>
public static class SipgateWebhooks
{
    public const string PushPath = "/telephony/sipgate/push";
    public const string PromptPath = "/telephony/prompts";
    public const string Mode = "sipgate";

    /// <summary>One key answers a menu at once. Flows do not say how many digits a Listen expects, so longer entries
    /// (customer numbers) are not supported over push calls.</summary>
    private const int MenuDigits = 1;

    private const int DefaultListenSeconds = 6;

    /// <summary>Silence after an announcement before the Dial or Hangup follows.</summary>
    private static readonly TimeSpan AfterAnnouncement = TimeSpan.FromMilliseconds(500);

    public static void MapSipgateWebhooks(this IEndpointRouteBuilder routes)
    {
        var guard = SipgatePushGuard.Create(routes.ServiceProvider);
        routes.MapPost(PushPath, Push).WithName("SipgatePush").WithTags("Sipgate").AllowAnonymous().DisableAntiforgery()
            .WithMetadata(new NoTenantScopeAttribute()).AddEndpointFilter(guard).AddEndpointFilter(SipgatePushArrivals.RecordAsync)
            .AddEndpointFilter(new TenantCallFilter(Providers.Sipgate, CallIdOf))
            .ExcludeFromDescription();
        routes.MapGet(PromptPath + "/{id}.wav", Prompt).WithName("PromptAudio").WithTags("Sipgate").AllowAnonymous()
            .WithMetadata(new NoTenantScopeAttribute()).ExcludeFromDescription();
    }

    /// <summary>The call a push is about; a new call has none yet (it is routed by its number).</summary>
    private static ValueTask<string?> CallIdOf(HttpContext http) => ValueTask.FromResult(SipgatePushGuard.PushOf(http) switch
    {
        SipgatePush.NewCall => null,
        SipgatePush.Dtmf dtmf => dtmf.CallId,
        SipgatePush.Answer answer => answer.CallId,
        SipgatePush.Hangup hangup => hangup.CallId,
        _ => (string?)null,
    });

    internal static async Task<FileContentHttpResult> Push(HttpContext http, [AsParameters] CallServices calls, CallAdmission admission,
        IDataProtectionProvider protection, RealtimeSpeech speech, TimeProvider time, IOptions<TelephonyOptions> options, ILoggerFactory loggers,
        CancellationToken ct)
    {
        var reply = new Reply(http.Request, options.Value, new SipgatePrompts(protection, speech, time), calls,
            loggers.CreateLogger(typeof(SipgateWebhooks)));
        switch (SipgatePushGuard.PushOf(http))
        {
            case SipgatePush.NewCall { Direction: SipgateDirection.Out }:
                // The account's own outgoing calls: not ours; an empty response lets sipgate carry on.
                return Xml(SipgateXml.Write());
            case SipgatePush.NewCall call:
                var first = await admission.RunAsync(Providers.Sipgate, async () =>
                {
                    await using var transaction = await calls.Calls.BeginAsync(ct);
                    // Not bound, or bound for another provider: refused like an unknown number (nothing is stored).
                    var started = await calls.Started.HandleAsync(
                        new InboundCall(Providers.Sipgate, call.CallId, call.From, call.To, Mode, NumberMustBeBoundToProvider: true), realtime: false, ct);
                    var turn = await PendingDialAsync(calls, started.Call, started.Turn, ct);
                    await transaction.CommitAsync(ct);
                    return (Turn: turn, started.Call);
                }, () => (Turn: new CallTurn(CallStep.Refuse, [Texts.Get("Telephony.Busy")]), Call: (TenantCall?)null), ct);
                return await reply.ToAsync(first.Turn, first.Call, call.CallId, ct);
            case SipgatePush.Dtmf dtmf:
                var current = TenantCall.Of(http);
                var said = await calls.CallerTurn.HandleAsync(current, dtmf.Digits, ct);
                var next = await PendingDialAsync(calls, current, said, ct);
                // Stored before the prompt is synthesized: no transaction (and no lock on the call) waits for the speech engine.
                await calls.Calls.CommitAsync(ct);
                // No call behind it: the refusal announcement has ended.
                return await reply.ToAsync(next.Step == CallStep.Refuse ? new CallTurn(CallStep.Hangup, []) : next, current, dtmf.CallId, ct);
            case SipgatePush.Answer answer:
                await calls.DialLegEnded.ForwardAnsweredAsync(TenantCall.Of(http), answer.AnsweringNumber, ct);
                return Xml(SipgateXml.Write()); // sipgate ignores the response
            case SipgatePush.Hangup hangup:
                await calls.Completed.HungUpAsync(TenantCall.Of(http), StatusOf(hangup.Cause), UnansweredDialOf(hangup.Cause), ct);
                return Xml(SipgateXml.Write());
            case var other:
                throw new InvalidOperationException($"Unhandled sipgate push {other.GetType().Name}.");
        }
    }

    internal static async Task<Results<FileContentHttpResult, ProblemHttpResult>> Prompt(string id, HttpResponse response,
        IDataProtectionProvider protection, RealtimeSpeech speech, TimeProvider time, ILoggerFactory loggers, CancellationToken ct)
    {
        var prompts = new SipgatePrompts(protection, speech, time);
        if (!prompts.TryRead(id, out var tenantId, out var text))
        {
            return Problems.NotFound();
        }

        byte[] wav;
        try
        {
            wav = await prompts.SynthesizeWavAsync(text, tenantId, ct);
        }
        catch (PortException ex)
        {
            loggers.CreateLogger(typeof(SipgateWebhooks)).LogError(ex, "Prompt synthesis for sipgate failed");
            return Problems.Status(StatusCodes.Status503ServiceUnavailable, Texts.Get("Problem.Unavailable"));
        }

        // What the agent says can be personal (appointments); no cache on the way may keep it.
        response.Headers.CacheControl = "no-store";
        return TypedResults.File(wav, "audio/wav");
    }

    /// <summary>
    /// A turn that says nothing and hangs up comes back when the flow was not waiting for input (a repeated push, or the
    /// dtmf push ending an announcement). The flow may then be waiting for a transfer announced in the previous round:
    /// that one is dialled now.
    /// </summary>
    private static async Task<CallTurn> PendingDialAsync(CallServices calls, TenantCall? call, CallTurn turn, CancellationToken ct) =>
        turn is { Step: CallStep.Hangup, Lines.Count: 0 } ? await calls.Stream.AfterAsync(call, ct) : turn;

    private static string StatusOf(SipgateHangupCause cause) => cause switch
    {
        SipgateHangupCause.NormalClearing or SipgateHangupCause.Forwarded => "completed",
        SipgateHangupCause.Busy => "busy",
        SipgateHangupCause.Cancel => "canceled",
        SipgateHangupCause.NoAnswer => "no-answer",
        _ => "failed",
    };

    private static DialStatus UnansweredDialOf(SipgateHangupCause cause) => cause switch
    {
        SipgateHangupCause.Busy => DialStatus.Busy,
        SipgateHangupCause.NoAnswer or SipgateHangupCause.Cancel or SipgateHangupCause.NormalClearing => DialStatus.NoAnswer,
        _ => DialStatus.Failed,
    };

    private static FileContentHttpResult Xml(byte[] xml) => TypedResults.Bytes(xml, SipgateXml.ContentType);

    /// <summary>Turns a call step into sipgate XML, always asking for the answer and hangup pushes.</summary>
    private sealed record Reply(HttpRequest Request, TelephonyOptions Options, SipgatePrompts Prompts, CallServices Calls, ILogger Logger)
    {
        public async Task<FileContentHttpResult> ToAsync(CallTurn turn, TenantCall? call, string providerCallId, CancellationToken ct,
            bool mayFailDial = true)
        {
            var push = PublicUrl(PushPath);
            var tenantId = call?.TenantId;
            var spoken = await PromptAsync(turn.Lines, tenantId, ct);
            SipgateAction action;
            switch (turn.Step)
            {
                case CallStep.Listen:
                    var seconds = turn.ListenSeconds is > 0 and var s ? s : DefaultListenSeconds;
                    action = new SipgateAction.Gather(push, MenuDigits, TimeSpan.FromSeconds(seconds), spoken);
                    break;
                case CallStep.Dial when spoken is not null:
                    action = new SipgateAction.Gather(push, 1, AfterAnnouncement, spoken);
                    break;
                case CallStep.Dial when PhoneNumbers.Normalize(turn.DialTarget).E164 is { } target:
                    action = SipgateAction.Dial.ToNumbers([target[1..]]);
                    break;
                case CallStep.Dial when mayFailDial:
                    // Cannot happen with a normalized allow-list; if it does, the flow takes its Failed path.
                    Logger.LogError("Transfer target {Target} of sipgate call {CallId} is not a dialable number", turn.DialTarget, providerCallId);
                    var failed = call is null
                        ? CallTurn.Refused
                        : await Calls.Calls.InCallAsync(call, c => Calls.DialLegEnded.HandleAsync(c, null, "failed", null, ct), ct);
                    return await ToAsync(failed, call, providerCallId, ct, mayFailDial: false);
                case CallStep.Refuse:
                    action = (spoken ?? await PromptAsync([Texts.Get("Telephony.Unavailable")], tenantId, ct)) is { } notice
                        ? new SipgateAction.Gather(push, 1, AfterAnnouncement, notice)
                        : new SipgateAction.Reject();
                    break;
                default:
                    // Hangup (and Stream, which push calls never use).
                    action = spoken is not null ? new SipgateAction.Gather(push, 1, AfterAnnouncement, spoken) : new SipgateAction.Hangup();
                    break;
            }

            return Xml(SipgateXml.Write(action, onAnswer: push, onHangup: push));
        }

        /// <summary>The lines as one WAV URL; null when there is nothing to say or the speech engine failed (the call then
        /// goes on without the audio rather than breaking).</summary>
        private async Task<Uri?> PromptAsync(IReadOnlyList<string> lines, Guid? tenantId, CancellationToken ct)
        {
            var text = string.Join(" ", lines.Where(l => !string.IsNullOrWhiteSpace(l)).Select(l => l.Trim()));
            if (text.Length == 0)
            {
                return null;
            }

            try
            {
                // Synthesized now so a failing engine shows here, and the cache is warm when sipgate fetches the file.
                await Prompts.SynthesizeWavAsync(text, tenantId, ct);
            }
            catch (PortException ex)
            {
                Logger.LogError(ex, "Prompt synthesis for sipgate failed; the call goes on without it");
                return null;
            }

            return PublicUrl($"{PromptPath}/{Prompts.Issue(text, tenantId)}.wav");
        }

        // Behind a proxy the request's own origin is not what sipgate can reach: the configured public origin wins.
        private Uri PublicUrl(string path)
        {
            var origin = Options.PublicBaseUrl is { } configured ? configured.GetLeftPart(UriPartial.Authority) : $"{Request.Scheme}://{Request.Host}";
            return new Uri(origin + Request.PathBase + path);
        }
    }
}
