using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace VoiceAgent.Telephony.Sipgate;

/// <summary>
/// The few sipgate REST calls we need (API-CONTRACTS.md §2.4), as a typed HttpClient. Credentials are passed per call
/// because they live in the settings store, not in configuration. A 429 or 5xx is retried once by the HttpClient's
/// resilience handler (<see cref="ProviderRestClients"/>, honouring Retry-After up to <see cref="SipgateRestOptions.MaxRetryAfter"/>),
/// then thrown.
/// </summary>
public sealed class SipgateRestClient(HttpClient http, IOptions<SipgateRestOptions> options)
{
    private const int PageSize = 100;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The cheapest authenticated call: a health check for the stored token.</summary>
    public async Task<SipgateUserInfo> GetUserInfoAsync(SipgateCredentials credentials, CancellationToken ct = default)
    {
        using var response = await SendAsync(HttpMethod.Get, "authorization/userinfo", credentials, notFoundIsAnswer: false, ct);
        return await ReadJsonAsync<SipgateUserInfo>(response, ct);
    }

    /// <summary>All numbers of the account, read page by page.</summary>
    public async Task<IReadOnlyList<SipgateNumber>> GetNumbersAsync(SipgateCredentials credentials, CancellationToken ct = default)
    {
        var numbers = new List<SipgateNumber>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var offset = 0; ; offset += PageSize)
        {
            using var response = await SendAsync(HttpMethod.Get, $"numbers?offset={offset}&limit={PageSize}", credentials, notFoundIsAnswer: false, ct);
            var page = (await ReadJsonAsync<SipgateItems<SipgateNumber>>(response, ct)).Items ?? [];
            var fresh = page.Where(n => seen.Add(n.Id)).ToList();
            numbers.AddRange(fresh);

            // A short page is the last one; a page of known ids means offset is ignored, and asking again would never end.
            if (page.Count < PageSize || fresh.Count == 0)
            {
                return numbers;
            }
        }
    }

    /// <summary>Ends a live call (DELETE /calls/{callId}); false when sipgate no longer knows it, e.g. it already ended.</summary>
    public async Task<bool> HangupAsync(SipgateCredentials credentials, string callId, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(callId);
        using var response = await SendAsync(HttpMethod.Delete, "calls/" + Uri.EscapeDataString(callId), credentials, notFoundIsAnswer: true, ct);
        return response.StatusCode != HttpStatusCode.NotFound;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, SipgateCredentials credentials, bool notFoundIsAnswer, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, new Uri(options.Value.BaseUrl.AbsoluteUri.TrimEnd('/') + "/" + path));
        request.Headers.Authorization = credentials.ToAuthorizationHeader();
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        var response = await http.SendAsync(request, ct);
        var status = response.StatusCode;
        if (response.IsSuccessStatusCode || (notFoundIsAnswer && status == HttpStatusCode.NotFound))
        {
            return response;
        }

        response.Dispose();
        var what = $"sipgate {method} /{path.Split('?')[0]}";
        if (status == HttpStatusCode.Unauthorized)
        {
            throw new SipgateUnauthorizedException($"{what}: sipgate refused token {credentials.TokenId} (401).");
        }

        var transient = status == HttpStatusCode.TooManyRequests || (int)status >= 500;
        throw new SipgateApiException(status, $"{what} failed with {(int)status} {status}{(transient ? " (a transient error is retried once)" : "")}.");
    }

    private static async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, CancellationToken ct) where T : class
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(Json, ct)
                   ?? throw new SipgateApiException(response.StatusCode, $"sipgate answered {response.RequestMessage?.RequestUri?.AbsolutePath} with an empty body.");
        }
        catch (JsonException ex)
        {
            throw new SipgateApiException(response.StatusCode, $"sipgate answered {response.RequestMessage?.RequestUri?.AbsolutePath} with unreadable JSON.", ex);
        }
    }
}
