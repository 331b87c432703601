using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Numbers;
using VoiceAgent.Platform.Resources;
using VoiceAgent.Platform.Tenancy;
using VoiceAgent.Telephony.Twilio;

namespace VoiceAgent.Telephony.Setup;

/// <summary>
/// The server side of the set-up wizard's step "Rufnummer" (issue #15). Twilio: finds the number in the chosen account,
/// shows where its webhooks point, and points them at us in one step. sipgate: what to enter in sipgate's console, and
/// whether sipgate's signed test push has arrived. The number is not bound to a flow here; the wizard does that later
/// through <see cref="NumberService.ConnectAsync"/>, which applies the same number rules.
/// <para>
/// <c>publicBase</c> is the origin the browser uses (in a Blazor page <c>NavigationManager.BaseUri</c>); a configured
/// <see cref="TelephonyOptions.PublicBaseUrl"/> replaces it, as it does for the webhooks' signature check. Only scheme,
/// host and port count: the webhooks are mounted at the root.
/// </para>
/// </summary>
public sealed class NumberSetup(VoiceAgentDb db, NumberService numbers, TwilioAccounts accounts, TwilioApi twilio,
    IOptions<TelephonyOptions> options, TimeProvider time, ILogger<NumberSetup> logger)
{
    public const string WebhookConnectedAction = "number.webhook_connected";

    /// <summary>Twilio's inbound-call webhook and call status callback, as <see cref="TwilioWebhooks"/> maps them.</summary>
    public const string VoicePath = "/telephony/twilio/voice";

    public const string StatusPath = "/telephony/twilio/status";

    private const string Post = "POST";

    /// <summary>
    /// Checks the number (nothing is stored) and looks it up in the chosen Twilio account. Field errors: "number" (not a
    /// number we route, premium or emergency, bound to another tenant, not in the account), "region", "account" (no such
    /// account configured, credentials refused). Twilio busy or unreachable after the client's one retry: a conflict.
    /// </summary>
    public async Task<Outcome<TwilioNumberCheck>> CheckTwilioAsync(Guid tenantId, string? number, string? region, TelephonyAccount account,
        Uri publicBase, CancellationToken ct = default)
    {
        var webhooks = Webhooks(publicBase);
        var found = await FindAsync(tenantId, number, region, account, ct);
        return found.Kind == OutcomeKind.Ok
            ? Outcome<TwilioNumberCheck>.Ok(Check(found.Value!.Number, webhooks))
            : new Outcome<TwilioNumberCheck>(found.Kind, Errors: found.Errors, Message: found.Message);
    }

    /// <summary>
    /// <see cref="CheckTwilioAsync"/>, then points the number's voice webhook and status callback at us (POST), removes a
    /// TwiML app that would take its calls instead, and audits the change with the old and new URLs. Returns the number
    /// as Twilio stored it. A number that already points here is left as it is (no request, no audit entry). A SIP trunk
    /// on the number is not touched: the check then keeps saying it does not point here.
    /// </summary>
    public async Task<Outcome<TwilioNumberCheck>> ConnectTwilioAsync(Guid tenantId, string? number, string? region, TelephonyAccount account,
        Uri publicBase, Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var webhooks = Webhooks(publicBase);
        var found = await FindAsync(tenantId, number, region, account, ct);
        if (found.Kind != OutcomeKind.Ok)
        {
            return new Outcome<TwilioNumberCheck>(found.Kind, Errors: found.Errors, Message: found.Message);
        }

        var (credentials, before) = found.Value!;
        var current = Check(before, webhooks);
        if (current.PointsHere)
        {
            return Outcome<TwilioNumberCheck>.Ok(current);
        }

        var updated = await AskTwilioAsync(
            () => twilio.SetVoiceWebhooksAsync(credentials, before.Sid, webhooks.Voice, webhooks.Status, ct),
            Outcome<TwilioIncomingNumber>.Invalid("number", TelephonyTexts.Format("Setup.NotInAccount", before.PhoneNumber)), ct);
        if (updated.Kind != OutcomeKind.Ok)
        {
            return new Outcome<TwilioNumberCheck>(updated.Kind, Errors: updated.Errors, Message: updated.Message);
        }

        var after = updated.Value!;
        db.Record(time, actor, WebhookConnectedAction, tenantId,
            $"{before.PhoneNumber} ({AccountName(account)}): voice {before.VoiceUrl ?? "-"} → {after.VoiceUrl ?? "-"}, "
            + $"status {before.StatusCallback ?? "-"} → {after.StatusCallback ?? "-"}"
            + (before.VoiceApplicationSid is { } app ? $", TwiML app {app} removed" : ""));
        await db.SaveChangesAsync(ct);
        return Outcome<TwilioNumberCheck>.Ok(Check(after, webhooks));
    }

    /// <summary>The URL to enter in sipgate's console (one URL takes every push) and the steps to get there.</summary>
    public SipgateSetupInfo SipgateInstructions(Uri publicBase)
    {
        var push = new Uri(PublicOrigin(publicBase), SipgateWebhooks.PushPath);
        return new SipgateSetupInfo(push, push, push,
        [
            TelephonyTexts.Get("Setup.Sipgate.Open"),
            TelephonyTexts.Format("Setup.Sipgate.Incoming", push.AbsoluteUri),
            TelephonyTexts.Format("Setup.Sipgate.Outgoing", push.AbsoluteUri),
            TelephonyTexts.Get("Setup.Sipgate.TestCall"),
        ]);
    }

    /// <summary>
    /// When a push for <paramref name="number"/> (E.164) that passed the source and signature checks last arrived, if that
    /// was after <paramref name="since"/>; else null. The wizard polls this after asking for a test call.
    /// </summary>
    public async Task<DateTimeOffset?> SipgateLastSignedPushAsync(string number, DateTimeOffset since, CancellationToken ct = default)
    {
        if (PhoneNumbers.Normalize(number).E164 is not { } e164)
        {
            return null;
        }

        var after = since.ToUniversalTime();
        var arrivals = await db.Database.SqlQuery<DateTimeOffset>(
                $"SELECT last_signed_at AS \"Value\" FROM sipgate_push_arrivals WHERE number = {e164} AND last_signed_at > {after}")
            .ToListAsync(ct);
        return arrivals.Count == 0 ? null : arrivals[0];
    }

    /// <summary>The voice webhook and status callback URLs for this deployment.</summary>
    public (Uri Voice, Uri Status) Webhooks(Uri publicBase)
    {
        var origin = PublicOrigin(publicBase);
        return (new Uri(origin, VoicePath), new Uri(origin, StatusPath));
    }

    private Uri PublicOrigin(Uri publicBase)
    {
        var origin = options.Value.PublicBaseUrl ?? publicBase ?? throw new ArgumentNullException(nameof(publicBase));
        if (!origin.IsAbsoluteUri)
        {
            throw new ArgumentException("The public base must be an absolute URL.", nameof(publicBase));
        }

        return new Uri(origin.GetLeftPart(UriPartial.Authority));
    }

    private async Task<Outcome<Found>> FindAsync(Guid tenantId, string? input, string? region,
        TelephonyAccount account, CancellationToken ct)
    {
        var normalized = await numbers.NormalizeAsync(tenantId, input, region, ct);
        if (normalized.Kind != OutcomeKind.Ok)
        {
            return new Outcome<Found>(normalized.Kind, Errors: normalized.Errors, Message: normalized.Message);
        }

        var number = normalized.Value!;
        if (account is not (TelephonyAccount.PlatformTwilio or TelephonyAccount.OwnTwilio))
        {
            var message = account == TelephonyAccount.Sipgate ? TelephonyTexts.Get("Setup.NotTwilio") : TelephonyTexts.Get("Setup.InvalidAccount");
            return Outcome<Found>.Invalid("account", message);
        }

        // Another tenant's binding is hidden by row-level security; the routing function sees every active one.
        var holders = await db.Database.SqlQuery<Guid>($"SELECT tenant_id AS \"Value\" FROM route_number({number})").ToListAsync(ct);
        if (holders.Any(holder => holder != tenantId))
        {
            return Outcome<Found>.Invalid("number", Texts.Get("Numbers.TakenByOtherTenant"));
        }

        var credentials = account == TelephonyAccount.OwnTwilio
            ? await accounts.OwnCredentialsAsync(tenantId, ct)
            : await accounts.PlatformCredentialsAsync(ct);
        if (credentials is null)
        {
            return Outcome<Found>.Invalid("account",
                TelephonyTexts.Get(account == TelephonyAccount.OwnTwilio ? "Setup.OwnAccountMissing" : "Setup.PlatformAccountMissing"));
        }

        // On the list, a 404 means Twilio knows no such account for these credentials.
        var found = await AskTwilioAsync(() => twilio.FindIncomingNumberAsync(credentials, number, ct),
            Outcome<TwilioIncomingNumber?>.Invalid("account", TelephonyTexts.Get("Setup.CredentialsRefused")), ct);
        if (found.Kind != OutcomeKind.Ok)
        {
            return new Outcome<Found>(found.Kind, Errors: found.Errors, Message: found.Message);
        }

        return found.Value is { } incoming
            ? Outcome<Found>.Ok(new Found(credentials, incoming))
            : Outcome<Found>.Invalid("number", TelephonyTexts.Format("Setup.NotInAccount", number));
    }

    /// <summary>
    /// Runs one Twilio call (the client has already retried a 429 or 5xx once) and turns its failures into outcomes whose
    /// texts carry no secret and no raw exception text.
    /// </summary>
    private async Task<Outcome<T>> AskTwilioAsync<T>(Func<Task<T>> call, Outcome<T> notFound, CancellationToken ct)
    {
        try
        {
            return Outcome<T>.Ok(await call());
        }
        catch (TwilioApiException ex) when (ex.Status is 401 or 403)
        {
            logger.LogWarning("Twilio refused the credentials: HTTP {Status}, code {Code}", ex.Status, ex.Code);
            return Outcome<T>.Invalid("account", TelephonyTexts.Get("Setup.CredentialsRefused"));
        }
        catch (TwilioApiException ex) when (ex.Status == 404)
        {
            logger.LogInformation("Twilio answered 404 (code {Code})", ex.Code);
            return notFound;
        }
        catch (TwilioApiException ex) when (ex.Status is 429 or >= 500 or < 400)
        {
            logger.LogWarning("Twilio unavailable: HTTP {Status}, code {Code}", ex.Status, ex.Code);
            return Outcome<T>.Conflict(TelephonyTexts.Get("Setup.TwilioUnreachable"));
        }
        catch (TwilioApiException ex)
        {
            logger.LogWarning("Twilio refused the request: HTTP {Status}, code {Code}: {Message}", ex.Status, ex.Code, ex.TwilioMessage);
            return Outcome<T>.Conflict(TelephonyTexts.Format("Setup.TwilioRefused", ex.Code ?? ex.Status));
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            logger.LogWarning("Twilio not reachable: {Error}", ex.GetType().Name);
            return Outcome<T>.Conflict(TelephonyTexts.Get("Setup.TwilioUnreachable"));
        }
    }

    private static TwilioNumberCheck Check(TwilioIncomingNumber number, (Uri Voice, Uri Status) webhooks) => new(
        number.PhoneNumber,
        number.Sid,
        number.VoiceUrl,
        number.StatusCallback,
        PointsHere(number, webhooks),
        webhooks.Voice.AbsoluteUri,
        webhooks.Status.AbsoluteUri);

    // Our webhooks take POST only; a voice application or SIP trunk on the number would take its calls past the URL.
    private static bool PointsHere(TwilioIncomingNumber number, (Uri Voice, Uri Status) webhooks) =>
        SameUrl(number.VoiceUrl, webhooks.Voice) && IsPost(number.VoiceMethod)
        && SameUrl(number.StatusCallback, webhooks.Status) && IsPost(number.StatusCallbackMethod)
        && number.VoiceApplicationSid is null && number.TrunkSid is null;

    private static bool SameUrl(string? actual, Uri expected) =>
        Uri.TryCreate(actual, UriKind.Absolute, out var url)
        && Uri.Compare(url, expected, UriComponents.HttpRequestUrl, UriFormat.SafeUnescaped, StringComparison.Ordinal) == 0;

    // Twilio's default method is POST.
    private static bool IsPost(string? method) => method is null || string.Equals(method, Post, StringComparison.OrdinalIgnoreCase);

    private static string AccountName(TelephonyAccount account) => account == TelephonyAccount.OwnTwilio ? "own Twilio account" : "platform Twilio account";

    private sealed record Found(TwilioCredentials Credentials, TwilioIncomingNumber Number);
}
