using System.Net;
using System.Text.RegularExpressions;
using Twilio.Clients;
using Twilio.Exceptions;
using Twilio.Http;
using Twilio.Rest.Api.V2010;
using Twilio.Rest.Api.V2010.Account;
using HttpClient = System.Net.Http.HttpClient;
using HttpMethod = Twilio.Http.HttpMethod;
using TwilioPhoneNumber = Twilio.Types.PhoneNumber;

namespace VoiceAgent.Telephony.Twilio;

/// <summary>
/// The few Twilio REST calls we need (API-CONTRACTS.md §1.5), made by the SDK's <c>TwilioRestClient</c> on this typed
/// HttpClient, whose pipeline points the SDK at <see cref="TwilioOptions.ApiBaseUrl"/> and retries a 429 or 5xx once
/// (<see cref="ProviderRestClients"/>); every call here is safe to repeat. Credentials are passed per call because they
/// live in the settings store and can change at run time. Any remaining error becomes a <see cref="TwilioApiException"/>;
/// a connection failure an <see cref="HttpRequestException"/>.
/// </summary>
public sealed partial class TwilioApi(HttpClient http)
{
    private const int FirstPageSize = 50;

    /// <summary>
    /// True when Twilio accepts the SID and token; false on 401/403/404 or a SID that is not <c>AC</c> + 32 hex digits
    /// (no request is made then). Throws <see cref="TwilioApiException"/> on 5xx and 429 (after the retry) and on other errors.
    /// </summary>
    public async Task<bool> CheckCredentialsAsync(TwilioCredentials credentials, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        if (!AccountSidPattern().IsMatch(credentials.AccountSid) || string.IsNullOrEmpty(credentials.AuthToken))
        {
            return false;
        }

        try
        {
            await CallAsync(credentials, client => AccountResource.FetchAsync(pathSid: credentials.AccountSid, client: client), cancellationToken);
            return true;
        }
        catch (TwilioApiException ex) when (ex.Status is 401 or 403 or 404)
        {
            return false;
        }
    }

    /// <summary>Makes the live call fetch new TwiML from <paramref name="url"/> (absolute, reachable by Twilio).</summary>
    public Task RedirectCallAsync(TwilioCredentials credentials, string callSid, Uri url, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri)
        {
            throw new ArgumentException("Twilio needs an absolute URL.", nameof(url));
        }

        CheckSids(credentials, callSid);
        return CallAsync(credentials, client => CallResource.UpdateAsync(pathSid: callSid, pathAccountSid: credentials.AccountSid, url: url,
            method: HttpMethod.Post, client: client), cancellationToken);
    }

    /// <summary>Ends an in-progress call (<c>Status=completed</c>).</summary>
    public Task HangupCallAsync(TwilioCredentials credentials, string callSid, CancellationToken cancellationToken = default)
    {
        CheckSids(credentials, callSid);
        return CallAsync(credentials, client => CallResource.UpdateAsync(pathSid: callSid, pathAccountSid: credentials.AccountSid,
            status: CallResource.UpdateStatusEnum.Completed, client: client), cancellationToken);
    }

    /// <summary>
    /// The account's number that is exactly <paramref name="e164"/>, or null when the account has none. Twilio's
    /// <c>PhoneNumber</c> filter also matches partial numbers, so the exact one is picked from the answer. Only the first
    /// page is read: the SDK would fetch further pages synchronously, and a full E.164 number matches far fewer than 50.
    /// </summary>
    public async Task<TwilioIncomingNumber?> FindIncomingNumberAsync(TwilioCredentials credentials, string e164,
        CancellationToken cancellationToken = default)
    {
        CheckAccount(credentials);
        ArgumentException.ThrowIfNullOrEmpty(e164);
        var numbers = await CallAsync(credentials, client => IncomingPhoneNumberResource.ReadAsync(pathAccountSid: credentials.AccountSid,
            phoneNumber: new TwilioPhoneNumber(e164), pageSize: FirstPageSize, limit: FirstPageSize, client: client), cancellationToken);
        numbers.AutoPaging = false;
        return numbers.Where(n => n.PhoneNumber?.ToString() == e164).Select(ToIncomingNumber).FirstOrDefault();
    }

    /// <summary>
    /// Points the number's voice webhook and call status callback at the given URLs (both POST) and returns the number as
    /// Twilio stored it. A TwiML app on the number would take its calls past the voice URL, so it is removed (an empty
    /// <c>VoiceApplicationSid</c>). Safe to repeat, so the pipeline's one retry applies.
    /// </summary>
    public async Task<TwilioIncomingNumber> SetVoiceWebhooksAsync(TwilioCredentials credentials, string numberSid, Uri voiceUrl, Uri statusCallback,
        CancellationToken cancellationToken = default)
    {
        CheckAccount(credentials);
        ArgumentNullException.ThrowIfNull(numberSid);
        ArgumentNullException.ThrowIfNull(voiceUrl);
        ArgumentNullException.ThrowIfNull(statusCallback);
        if (!NumberSidPattern().IsMatch(numberSid))
        {
            throw new ArgumentException("A number SID is PN followed by 32 hex digits.", nameof(numberSid));
        }

        if (!voiceUrl.IsAbsoluteUri || !statusCallback.IsAbsoluteUri)
        {
            throw new ArgumentException("Twilio needs absolute URLs.", nameof(voiceUrl));
        }

        var updated = await CallAsync(credentials, client => IncomingPhoneNumberResource.UpdateAsync(pathSid: numberSid,
            pathAccountSid: credentials.AccountSid, voiceUrl: voiceUrl, voiceMethod: HttpMethod.Post, statusCallback: statusCallback,
            statusCallbackMethod: HttpMethod.Post, voiceApplicationSid: "", client: client), cancellationToken);
        return ToIncomingNumber(updated);
    }

    private static TwilioIncomingNumber ToIncomingNumber(IncomingPhoneNumberResource number) => new(
        number.Sid,
        number.PhoneNumber?.ToString() ?? "",
        NullIfEmpty(number.VoiceUrl?.OriginalString),
        NullIfEmpty(number.VoiceMethod?.ToString()),
        NullIfEmpty(number.StatusCallback?.OriginalString),
        NullIfEmpty(number.StatusCallbackMethod?.ToString()),
        NullIfEmpty(number.VoiceApplicationSid),
        NullIfEmpty(number.TrunkSid));

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static void CheckAccount(TwilioCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        if (!AccountSidPattern().IsMatch(credentials.AccountSid))
        {
            throw new ArgumentException("An account SID is AC followed by 32 hex digits.", nameof(credentials));
        }
    }

    private static void CheckSids(TwilioCredentials credentials, string callSid)
    {
        CheckAccount(credentials);
        ArgumentNullException.ThrowIfNull(callSid);
        if (!CallSidPattern().IsMatch(callSid))
        {
            throw new ArgumentException("A call SID is CA followed by 32 hex digits.", nameof(callSid));
        }
    }

    // The SDK takes no CancellationToken: the caller stops waiting, the request ends with the HttpClient's timeout.
    private async Task<T> CallAsync<T>(TwilioCredentials credentials, Func<ITwilioRestClient, Task<T>> call, CancellationToken cancellationToken)
    {
        var transport = new SystemNetHttpClient(http);
        var client = new TwilioRestClient(credentials.AccountSid, credentials.AuthToken, httpClient: transport);
        try
        {
            return await call(client).WaitAsync(cancellationToken);
        }
        catch (ApiConnectionException ex)
        {
            throw new HttpRequestException($"Twilio not reachable: {ex.InnerException?.Message ?? ex.Message}", ex.InnerException);
        }
        catch (ApiException ex)
        {
            throw Map(ex, transport.LastResponse);
        }
    }

    /// <summary>Twilio's error JSON as the SDK parsed it; without one (a proxy's 502 page, say) the status line.</summary>
    private static TwilioApiException Map(ApiException ex, Response? response)
    {
        var status = ex.Status != 0 ? ex.Status : (int?)response?.StatusCode ?? 0;
        if (ex.Code != 0)
        {
            return new TwilioApiException(status, ex.Code, ex.Message, ex.MoreInfo);
        }

        return new TwilioApiException(status, null, $"{(HttpStatusCode)status} (no Twilio error body)");
    }

    [GeneratedRegex("^AC[0-9a-fA-F]{32}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex AccountSidPattern();

    [GeneratedRegex("^CA[0-9a-fA-F]{32}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex CallSidPattern();

    [GeneratedRegex("^PN[0-9a-fA-F]{32}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex NumberSidPattern();
}
