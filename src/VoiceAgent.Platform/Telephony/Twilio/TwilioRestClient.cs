using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace VoiceAgent.Platform.Telephony.Twilio;

/// <summary>
/// The few Twilio REST calls we need (API-CONTRACTS.md §1.5), as a typed HttpClient. Credentials are passed per call
/// because they live in the settings store and can change at run time. A 429 or 5xx is retried once after
/// <see cref="TwilioOptions.RetryDelay"/>; both calls are safe to repeat (redirect restarts at the same URL, hanging
/// up twice is a no-op). Any remaining error becomes a <see cref="TwilioApiException"/>.
/// </summary>
public sealed partial class TwilioRestClient(HttpClient http, IOptions<TwilioOptions> options, TimeProvider time)
{
    private const string ApiVersion = "2010-04-01";

    private readonly TwilioOptions settings = options.Value;

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

        using var response = await SendAsync(credentials, HttpMethod.Get, $"Accounts/{credentials.AccountSid}.json", null, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return true;
        }

        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.NotFound)
        {
            return false;
        }

        throw await ErrorAsync(response, cancellationToken);
    }

    /// <summary>Makes the live call fetch new TwiML from <paramref name="url"/> (absolute, reachable by Twilio).</summary>
    public Task RedirectCallAsync(TwilioCredentials credentials, string callSid, Uri url, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri)
        {
            throw new ArgumentException("Twilio needs an absolute URL.", nameof(url));
        }

        return UpdateCallAsync(credentials, callSid, [new("Url", url.AbsoluteUri), new("Method", "POST")], cancellationToken);
    }

    /// <summary>Ends an in-progress call (<c>Status=completed</c>).</summary>
    public Task HangupCallAsync(TwilioCredentials credentials, string callSid, CancellationToken cancellationToken = default) =>
        UpdateCallAsync(credentials, callSid, [new("Status", "completed")], cancellationToken);

    private async Task UpdateCallAsync(
        TwilioCredentials credentials,
        string callSid,
        KeyValuePair<string, string>[] form,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(callSid);
        if (!AccountSidPattern().IsMatch(credentials.AccountSid))
        {
            throw new ArgumentException("An account SID is AC followed by 32 hex digits.", nameof(credentials));
        }

        if (!CallSidPattern().IsMatch(callSid))
        {
            throw new ArgumentException("A call SID is CA followed by 32 hex digits.", nameof(callSid));
        }

        using var response = await SendAsync(credentials, HttpMethod.Post, $"Accounts/{credentials.AccountSid}/Calls/{callSid}.json", form, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await ErrorAsync(response, cancellationToken);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(
        TwilioCredentials credentials,
        HttpMethod method,
        string relativePath,
        KeyValuePair<string, string>[]? form,
        CancellationToken cancellationToken)
    {
        var baseUrl = settings.ApiBaseUrl.AbsoluteUri.EndsWith('/') ? settings.ApiBaseUrl : new Uri(settings.ApiBaseUrl.AbsoluteUri + "/");
        var uri = new Uri(baseUrl, $"{ApiVersion}/{relativePath}");
        var response = await http.SendAsync(Request(credentials, method, uri, form), cancellationToken);
        if (!IsRetryable(response.StatusCode))
        {
            return response;
        }

        response.Dispose();
        await Task.Delay(settings.RetryDelay, time, cancellationToken);
        return await http.SendAsync(Request(credentials, method, uri, form), cancellationToken);
    }

    private static HttpRequestMessage Request(TwilioCredentials credentials, HttpMethod method, Uri uri, KeyValuePair<string, string>[]? form)
    {
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credentials.AccountSid}:{credentials.AuthToken}"));
        var request = new HttpRequestMessage(method, uri)
        {
            Content = form is null ? null : new FormUrlEncodedContent(form),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", basic);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return request;
    }

    private static bool IsRetryable(HttpStatusCode status) => status == HttpStatusCode.TooManyRequests || (int)status >= 500;

    private static async Task<TwilioApiException> ErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String)
            {
                int? code = root.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.Number && c.TryGetInt32(out var n) ? n : null;
                var moreInfo = root.TryGetProperty("more_info", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                return new TwilioApiException(status, code, message.GetString()!, moreInfo);
            }
        }
        catch (JsonException)
        {
            // Not Twilio's error JSON; fall through to the status line.
        }

        var reason = response.ReasonPhrase ?? ((HttpStatusCode)status).ToString();
        return new TwilioApiException(status, null, string.Create(CultureInfo.InvariantCulture, $"{reason} (no Twilio error body)"));
    }

    [GeneratedRegex("^AC[0-9a-fA-F]{32}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex AccountSidPattern();

    [GeneratedRegex("^CA[0-9a-fA-F]{32}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex CallSidPattern();
}
