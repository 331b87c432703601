using System.Globalization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Twilio.TwiML;
using VoiceAgent.Platform.Resources;
using VoiceAgent.Platform.Security;
using VoiceAgent.Platform.Speech;
using VoiceAgent.Telephony.Speech;
using VoiceAgent.Telephony;
using VoiceAgent.Telephony.Calls;
using VoiceAgent.Telephony.Twilio;
using VoiceAgent.Platform.Http;

namespace VoiceAgent.Telephony;

/// <summary>
/// Twilio voice webhooks (gather mode): inbound call, speech result, Dial action and status callback. Every request's
/// X-Twilio-Signature is checked against the public URL before anything is read or stored (403 otherwise).
/// </summary>
public static class TwilioWebhooks
{
    /// <summary>HttpContext item: the tenant whose own Twilio account signed the request (absent for the platform account).</summary>
    private const string AccountTenantItem = "twilio.account_tenant";

    public static void MapTwilioWebhooks(this IEndpointRouteBuilder routes)
    {
        // The signature check runs first (the first filter added is the outer one): only a correctly signed new call may
        // take a set-up slot, so a flood of unsigned requests cannot make real callers hear the busy announcement.
        routes.MapPost("/telephony/twilio/voice", Voice).WithName("TwilioVoice").WithTags("Twilio").AllowAnonymous().DisableAntiforgery()
            .WithMetadata(new NoTenantScopeAttribute()).AddEndpointFilter(VerifySignatureAsync).AddEndpointFilter(AdmitAsync).ExcludeFromDescription();
        // Callbacks about a call we took: after the signature, the call is resolved once (and checked against the
        // signing account) for the handler, which runs in that one transaction.
        var group = routes.MapGroup("/telephony/twilio").WithTags("Twilio").AllowAnonymous().DisableAntiforgery()
            .WithMetadata(new NoTenantScopeAttribute()).AddEndpointFilter(InformCallerWhenDatabaseUnavailableAsync).AddEndpointFilter(VerifySignatureAsync)
            .AddEndpointFilter(new TenantCallFilter(Providers.Twilio, CallSidOf)).AddEndpointFilter(CheckOwnAccountAsync).ExcludeFromDescription();
        group.MapPost("/gather", Gather).WithName("TwilioGather");
        group.MapPost("/dial", Dial).WithName("TwilioDial");
        group.MapPost("/status", Status).WithName("TwilioStatus");
        group.MapPost("/stream-ended", StreamEnded).WithName("TwilioStreamEnded");

        // The media stream authenticates by its single-use stream token (Twilio does not sign WebSocket upgrades).
        routes.Map("/telephony/media", Media).WithName("MediaStream").AllowAnonymous().WithMetadata(new NoTenantScopeAttribute())
            .ExcludeFromDescription();
    }

    internal static async Task<ContentHttpResult> Voice(HttpRequest request, [AsParameters] CallServices calls,
        IOptions<TelephonyOptions> options, CancellationToken ct)
    {
        var form = await request.ReadFormAsync(ct);
        // Realtime when configured; whether the tenant's speech engines recognize speech is settled once the number names
        // the tenant (CallStarted), else the call runs in gather mode.
        var realtime = options.Value.Mode == "realtime";
        var inbound = new InboundCall(Providers.Twilio, form["CallSid"].ToString(), form["From"], form["To"], realtime ? "realtime" : "gather",
            request.HttpContext.Items[AccountTenantItem] as Guid?);
        await using var transaction = await calls.Calls.BeginAsync(ct);
        var started = await calls.Started.HandleAsync(inbound, realtime, ct);
        var voice = await SayVoiceAsync(request, started.Turn, started.Call?.TenantId, ct);
        await transaction.CommitAsync(ct);
        return Twiml(started.Turn, request, voice);
    }

    private static ValueTask<object?> AdmitAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        return new ValueTask<object?>(http.RequestServices.GetRequiredService<CallAdmission>().RunAsync(Providers.Twilio,
            async () => await next(context), () => Busy(http.Request), http.RequestAborted));
    }

    /// <summary>
    /// A callback of a call in progress while PostgreSQL cannot be reached (restart, failover, exhausted): the caller
    /// hears a German apology and the call ends, instead of Twilio's English application error; nothing was stored.
    /// The status callback gets 503 (its usage is then recorded by a later duplicate, or not at all — never twice).
    /// </summary>
    private static async ValueTask<object?> InformCallerWhenDatabaseUnavailableAsync(EndpointFilterInvocationContext context,
        EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        try
        {
            return await next(context);
        }
        catch (Exception ex) when (CallAdmission.IsDatabaseUnavailable(ex) && !http.RequestAborted.IsCancellationRequested)
        {
            var endpoint = http.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName;
            http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(TwilioWebhooks))
                .LogWarning("Twilio callback {Endpoint} while the database is unavailable: {Message}", endpoint, ex.Message);
            return endpoint == "TwilioStatus"
                ? Problems.Status(StatusCodes.Status503ServiceUnavailable, Texts.Get("Problem.Unavailable"))
                : Twiml(new CallTurn(CallStep.Refuse, [Texts.Get("Telephony.Interrupted")]), http.Request);
        }
    }

    private static object? Busy(HttpRequest request) => Twiml(new CallTurn(CallStep.Refuse, [Texts.Get("Telephony.Busy")]), request);

    private static async ValueTask<string?> CallSidOf(HttpContext http) => (await http.Request.ReadFormAsync(http.RequestAborted))["CallSid"].ToString();

    private static bool IsNewCall(HttpContext http) =>
        http.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName == "TwilioVoice";

    internal static async Task<ContentHttpResult> StreamEnded(HttpRequest request, [AsParameters] CallServices calls, CancellationToken ct) =>
        Twiml(await calls.Stream.AfterAsync(TenantCall.Of(request.HttpContext), ct), request);

    internal static async Task Media(HttpContext context, IServiceScopeFactory scopes, StreamTokens tokens, IOptions<TelephonyOptions> options,
        ILogger<MediaStreamSession> logger, TimeProvider time)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        await new MediaStreamSession(socket, scopes, tokens, options.Value, logger, time).RunAsync(context.RequestAborted);
    }

    internal static async Task<ContentHttpResult> Gather(HttpRequest request, [AsParameters] CallServices calls, CancellationToken ct)
    {
        var form = await request.ReadFormAsync(ct);
        var call = TenantCall.Of(request.HttpContext);
        var turn = await calls.CallerTurn.HandleAsync(call, form["SpeechResult"], ct);
        return Twiml(turn, request, await SayVoiceAsync(request, turn, call?.TenantId, ct));
    }

    internal static async Task<ContentHttpResult> Dial(HttpRequest request, [AsParameters] CallServices calls, CancellationToken ct)
    {
        var form = await request.ReadFormAsync(ct);
        var seconds = int.TryParse(form["DialCallDuration"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : (int?)null;
        var call = TenantCall.Of(request.HttpContext);
        var turn = await calls.DialLegEnded.HandleAsync(call, form["DialCallSid"], form["DialCallStatus"], seconds, ct);
        return Twiml(turn, request, await SayVoiceAsync(request, turn, call?.TenantId, ct));
    }

    internal static async Task<NoContent> Status(HttpRequest request, [AsParameters] CallServices calls, CancellationToken ct)
    {
        var form = await request.ReadFormAsync(ct);
        var status = form["CallStatus"].ToString();
        if (status is "completed" or "busy" or "failed" or "no-answer" or "canceled")
        {
            var seconds = int.TryParse(form["CallDuration"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : (int?)null;
            await calls.Completed.HandleAsync(TenantCall.Of(request.HttpContext), status, seconds, ct);
        }

        return TypedResults.NoContent();
    }

    /// <summary>The tenant's chosen voice for what Twilio itself says in this turn (none for a refusal or a media stream).</summary>
    private static async Task<string?> SayVoiceAsync(HttpRequest request, CallTurn turn, Guid? tenantId, CancellationToken ct) =>
        tenantId is { } id && turn.Step is not (CallStep.Refuse or CallStep.Stream) && turn.Lines.Count > 0
            ? await request.HttpContext.RequestServices.GetRequiredService<TenantSpeechSettings>().TwilioSayVoiceAsync(id, ct)
            : null;

    /// <param name="voice">The voice of the &lt;Say&gt; verbs (Twilio's German default when null).</param>
    private static ContentHttpResult Twiml(CallTurn turn, HttpRequest request, string? voice = null)
    {
        var twiml = new VoiceResponse();
        switch (turn.Step)
        {
            case CallStep.Stream:
                var tokens = request.HttpContext.RequestServices.GetRequiredService<StreamTokens>();
                var streamUrl = PublicUrl(request, "/telephony/media").Replace("https://", "wss://", StringComparison.Ordinal)
                    .Replace("http://", "ws://", StringComparison.Ordinal);
                twiml.StreamTo(streamUrl, [new("token", tokens.Issue(turn.TenantId!.Value, turn.CallId!.Value))],
                    action: PublicUrl(request, "/telephony/twilio/stream-ended"));
                break;
            case CallStep.Refuse:
                twiml.SayText(turn.Lines.Count > 0 ? string.Join(" ", turn.Lines) : Texts.Get("Telephony.Unavailable"));
                twiml.Hangup();
                break;
            case CallStep.Listen:
                twiml.GatherSpeech(action: PublicUrl(request, "/telephony/twilio/gather"), says: turn.Lines, timeoutSeconds: turn.ListenSeconds ?? 6,
                    voice: voice);
                break;
            case CallStep.Dial:
                foreach (var line in turn.Lines)
                {
                    twiml.SayText(line, voice);
                }

                twiml.DialNumber(turn.DialTarget!, action: PublicUrl(request, "/telephony/twilio/dial"));
                break;
            default:
                foreach (var line in turn.Lines)
                {
                    twiml.SayText(line, voice);
                }

                twiml.Hangup();
                break;
        }

        return TypedResults.Text(twiml.ToXml(), "text/xml; charset=utf-8");
    }

    // Twilio signs the URL it called: the configured public origin (behind a proxy) plus the raw, still-encoded target.
    private static string PublicOrigin(HttpRequest request)
    {
        var configured = request.HttpContext.RequestServices.GetRequiredService<IOptions<TelephonyOptions>>().Value.PublicBaseUrl;
        return configured is null ? $"{request.Scheme}://{request.Host}" : configured.GetLeftPart(UriPartial.Authority);
    }

    private static string PublicUrl(HttpRequest request, string path) => PublicOrigin(request) + request.PathBase + path;

    private static string SignedUrl(HttpRequest request)
    {
        var raw = request.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget;
        return PublicOrigin(request) + (string.IsNullOrEmpty(raw) || !raw.StartsWith('/') ? request.PathBase + request.Path + request.QueryString : raw);
    }

    private static async ValueTask<object?> VerifySignatureAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var header = http.Request.Headers["X-Twilio-Signature"].ToString();
        // No signature, or none that HMAC-SHA1 could have produced: refused before the body is read or anything is looked up.
        if (!http.Request.HasFormContentType || !TwilioSignature.IsWellFormed(header))
        {
            return Problems.Status(StatusCodes.Status403Forbidden, Texts.Get("Telephony.SignatureInvalid"));
        }

        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        SigningAccount? account;
        try
        {
            account = await http.RequestServices.GetRequiredService<TwilioAccounts>().ForWebhookAsync(form["AccountSid"], http.RequestAborted);
        }
        catch (Exception ex) when (IsNewCall(http) && CallAdmission.IsDatabaseUnavailable(ex) && !http.RequestAborted.IsCancellationRequested)
        {
            // The credentials could not be read: a new call is turned away politely, as the admission gate would.
            return http.RequestServices.GetRequiredService<CallAdmission>().Overloaded(Providers.Twilio, ex, () => Busy(http.Request));
        }

        var url = SignedUrl(http.Request);
        var parameters = form.SelectMany(f => f.Value.Select(v => new KeyValuePair<string, string>(f.Key, v ?? "")));
        if (account is null || !TwilioSignature.IsValid(account.Credentials.AuthToken, url, parameters, header))
        {
            return Problems.Status(StatusCodes.Status403Forbidden, Texts.Get("Telephony.SignatureInvalid"));
        }

        if (account.TenantId is { } owner)
        {
            http.Items[AccountTenantItem] = owner;
        }

        return await next(context);
    }

    /// <summary>A tenant's own account may only touch that tenant's calls (the voice webhook checks the dialled number).</summary>
    private static async ValueTask<object?> CheckOwnAccountAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (http.Items[AccountTenantItem] is Guid owner && TenantCall.Of(http) is { } call && call.TenantId != owner)
        {
            return Problems.Status(StatusCodes.Status403Forbidden, Texts.Get("Telephony.SignatureInvalid"));
        }

        return await next(context);
    }
}
