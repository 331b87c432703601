using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace VoiceAgent.Platform.Billing.Lexoffice;

/// <summary>A Lexoffice answer we cannot use. <see cref="Ambiguous"/>: the request may have been carried out anyway.</summary>
public sealed class LexofficeException(string message, HttpStatusCode? status = null, bool ambiguous = false, Exception? inner = null)
    : Exception(message, inner)
{
    public HttpStatusCode? Status { get; } = status;

    public bool Ambiguous { get; } = ambiguous;
}

/// <summary>
/// Typed client for the Lexware Office (Lexoffice) public API (shared/reference/API-CONTRACTS.md §3): contacts, invoices,
/// their PDF, the voucher list. Every request first waits for its slot (<see cref="LexofficeRateLimiter"/>). Reads and
/// contact writes are retried on 429 and 5xx with exponential backoff; creating an invoice is retried on 429 only, because
/// after a 5xx or a timeout it may exist already (the caller looks it up instead).
/// </summary>
public sealed class LexofficeClient(HttpClient http, LexofficeRateLimiter limiter, IOptionsMonitor<LexofficeOptions> options, TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(30);

    public async Task<JsonObject> GetContactAsync(string apiKey, Guid id, CancellationToken ct) =>
        await ReadObjectAsync(await SendAsync(apiKey, () => Request(HttpMethod.Get, $"v1/contacts/{id}"), retryServerErrors: true, ct), ct);

    /// <returns>The new contact's id and version.</returns>
    public async Task<(Guid Id, int Version)> CreateContactAsync(string apiKey, JsonObject contact, CancellationToken ct)
    {
        var body = await ReadObjectAsync(await SendAsync(apiKey, () => Request(HttpMethod.Post, "v1/contacts", contact), retryServerErrors: false, ct), ct);
        return (Guid.Parse((string)body["id"]!), (int)body["version"]!);
    }

    /// <returns>The contact's version after the update; <c>null</c> when Lexoffice refused a stale version (409).</returns>
    public async Task<int?> UpdateContactAsync(string apiKey, Guid id, JsonObject contact, CancellationToken ct)
    {
        using var response = await SendAsync(apiKey, () => Request(HttpMethod.Put, $"v1/contacts/{id}", contact), retryServerErrors: true, ct,
            accept: HttpStatusCode.Conflict);
        if (response.StatusCode == HttpStatusCode.Conflict)
        {
            return null;
        }

        return (int)(await ReadObjectAsync(response, ct))["version"]!;
    }

    /// <summary>POST /v1/invoices?finalize=true. Throws an ambiguous <see cref="LexofficeException"/> when the outcome is unknown.</summary>
    public async Task<Guid> CreateInvoiceAsync(string apiKey, JsonObject invoice, CancellationToken ct)
    {
        HttpResponseMessage response;
        try
        {
            response = await SendAsync(apiKey, () => Request(HttpMethod.Post, "v1/invoices?finalize=true", invoice), retryServerErrors: false, ct);
        }
        catch (LexofficeException ex) when (ex.Status is null || (int)ex.Status >= 500)
        {
            throw new LexofficeException(ex.Message, ex.Status, ambiguous: true, ex);
        }

        return Guid.Parse((string)(await ReadObjectAsync(response, ct))["id"]!);
    }

    public async Task<JsonObject> GetInvoiceAsync(string apiKey, Guid id, CancellationToken ct) =>
        await ReadObjectAsync(await SendAsync(apiKey, () => Request(HttpMethod.Get, $"v1/invoices/{id}"), retryServerErrors: true, ct), ct);

    /// <summary>The rendered PDF (GET /v1/invoices/{id}/file).</summary>
    public async Task<byte[]> GetInvoiceFileAsync(string apiKey, Guid id, CancellationToken ct)
    {
        using var response = await SendAsync(apiKey, () =>
        {
            var request = Request(HttpMethod.Get, $"v1/invoices/{id}/file");
            request.Headers.Accept.Clear();
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/pdf"));
            return request;
        }, retryServerErrors: true, ct);
        return await response.Content.ReadAsByteArrayAsync(ct);
    }

    /// <summary>Ids of the contact's invoices created on or after <paramref name="createdFrom"/> (voucher list, first 250).</summary>
    public async Task<IReadOnlyList<Guid>> FindInvoicesAsync(string apiKey, Guid contactId, DateOnly createdFrom, CancellationToken ct)
    {
        var query = $"v1/voucherlist?voucherType=invoice&voucherStatus=any&contactId={contactId}" +
                    $"&createdDateFrom={createdFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}&size=250&sort=voucherDate,DESC";
        var page = await ReadObjectAsync(await SendAsync(apiKey, () => Request(HttpMethod.Get, query), retryServerErrors: true, ct), ct);
        return page["content"] is JsonArray content
            ? content.Select(v => Guid.Parse((string)v!["id"]!)).ToList()
            : [];
    }

    /// <summary>Lexoffice wants exactly three fractional digits and a colon in the offset (anything else is 406).</summary>
    public static string FormatDate(DateTimeOffset value) =>
        value.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);

    private HttpRequestMessage Request(HttpMethod method, string path, JsonObject? body = null)
    {
        var request = new HttpRequestMessage(method, new Uri(options.CurrentValue.BaseUrl, path));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: Json);
        }

        return request;
    }

    private async Task<HttpResponseMessage> SendAsync(string apiKey, Func<HttpRequestMessage> create, bool retryServerErrors, CancellationToken ct,
        HttpStatusCode? accept = null)
    {
        var settings = options.CurrentValue;
        for (var attempt = 1; ; attempt++)
        {
            await limiter.WaitAsync(ct);
            using var request = create();
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
            HttpResponseMessage response;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                timeout.CancelAfter(settings.Timeout);
                try
                {
                    response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
                }
                catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !ct.IsCancellationRequested))
                {
                    var failure = new LexofficeException(ex is OperationCanceledException ? "Lexoffice antwortet nicht (Zeitüberschreitung)." : "Lexoffice nicht erreichbar.", inner: ex);
                    if (!retryServerErrors || attempt >= settings.MaxAttempts)
                    {
                        throw failure;
                    }

                    await BackoffAsync(attempt, ct);
                    continue;
                }
            }

            if (response.IsSuccessStatusCode || response.StatusCode == accept)
            {
                return response;
            }

            var status = response.StatusCode;
            var retry = status == HttpStatusCode.TooManyRequests || (retryServerErrors && (int)status >= 500);
            if (retry && attempt < settings.MaxAttempts)
            {
                var retryAfter = RetryAfter(response);
                response.Dispose();
                await BackoffAsync(attempt, ct, retryAfter);
                continue;
            }

            var detail = await Describe(response, ct);
            response.Dispose();
            throw new LexofficeException($"Lexoffice: {(int)status} {detail}", status);
        }
    }

    // Lexoffice documents no Retry-After, but a gateway in front of it may send one: it wins over our backoff (capped).
    private Task BackoffAsync(int attempt, CancellationToken ct, TimeSpan? retryAfter = null)
    {
        var delay = retryAfter ?? options.CurrentValue.RetryDelay * Math.Pow(2, attempt - 1);
        return Task.Delay(delay + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 100)), time, ct);
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        var wait = header?.Delta ?? (header?.Date is { } at ? at - time.GetUtcNow() : null);
        return wait is { } w ? TimeSpan.FromTicks(Math.Clamp(w.Ticks, 0, MaxRetryAfter.Ticks)) : null;
    }

    private static async Task<JsonObject> ReadObjectAsync(HttpResponseMessage response, CancellationToken ct)
    {
        using (response)
        {
            return await response.Content.ReadFromJsonAsync<JsonObject>(Json, ct)
                   ?? throw new LexofficeException("Lexoffice: leere Antwort.", response.StatusCode);
        }
    }

    // The two error formats (regular: message + details[].violation/field; legacy: IssueList[].i18nKey/source). Only codes
    // and field names are kept: the messages are German free text and not stable.
    private static async Task<string> Describe(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            var body = await response.Content.ReadFromJsonAsync<JsonObject>(Json, ct);
            if (body?["details"] is JsonArray details && details.Count > 0)
            {
                return string.Join("; ", details.Select(d => $"{d?["violation"]} {d?["field"]}"));
            }

            if (body?["IssueList"] is JsonArray issues && issues.Count > 0)
            {
                return string.Join("; ", issues.Select(i => $"{i?["i18nKey"]} {i?["source"]}"));
            }

            return body?["message"]?.ToString() ?? response.ReasonPhrase ?? "";
        }
        catch (JsonException)
        {
            return response.ReasonPhrase ?? "";
        }
    }
}
