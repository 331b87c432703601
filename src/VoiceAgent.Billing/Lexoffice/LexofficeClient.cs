using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Polly.Timeout;

namespace VoiceAgent.Billing.Lexoffice;

/// <summary>A Lexoffice answer we cannot use. <see cref="Ambiguous"/>: the request may have been carried out anyway.</summary>
public sealed class LexofficeException(string message, HttpStatusCode? status = null, bool ambiguous = false, Exception? inner = null)
    : Exception(message, inner)
{
    public HttpStatusCode? Status { get; } = status;

    public bool Ambiguous { get; } = ambiguous;
}

/// <summary>
/// Typed client for the Lexware Office (Lexoffice) public API (shared/reference/API-CONTRACTS.md §3): contacts, invoices,
/// their PDF, the voucher list. Retries, back-off, <c>Retry-After</c> and the per-attempt timeout come from the
/// resilience pipeline of its <see cref="HttpClient"/> (<see cref="LexofficeResilience"/>); every attempt first waits for
/// its slot (<see cref="LexofficeRateLimiter"/>). Reads and contact writes are retried on 429 and 5xx; creating a contact
/// or an invoice on 429 only, because after a 5xx or a timeout it may exist already (the caller looks it up instead).
/// </summary>
public sealed class LexofficeClient(HttpClient http, IOptionsMonitor<LexofficeOptions> options)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

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

    /// <summary>GET /v1/profile: the organization the key belongs to (the cheapest authenticated call).</summary>
    public async Task<JsonObject> GetProfileAsync(string apiKey, CancellationToken ct) =>
        await ReadObjectAsync(await SendAsync(apiKey, () => Request(HttpMethod.Get, "v1/profile"), retryServerErrors: false, ct), ct);

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
        using var request = create();
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        request.Options.Set(LexofficeResilience.RetryServerErrors, retryServerErrors);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
        }
        catch (TimeoutRejectedException ex)
        {
            throw new LexofficeException(BillingTexts.Get(BillingErrorCodes.LexofficeTimeout), inner: ex);
        }
        catch (HttpRequestException ex)
        {
            throw new LexofficeException(BillingTexts.Get(BillingErrorCodes.LexofficeUnreachable), inner: ex);
        }

        if (response.IsSuccessStatusCode || response.StatusCode == accept)
        {
            return response;
        }

        var status = response.StatusCode;
        var detail = await Describe(response, ct);
        response.Dispose();
        throw new LexofficeException(BillingTexts.Format(BillingErrorCodes.LexofficeFailed, (int)status, detail), status);
    }

    private static async Task<JsonObject> ReadObjectAsync(HttpResponseMessage response, CancellationToken ct)
    {
        using (response)
        {
            return await response.Content.ReadFromJsonAsync<JsonObject>(Json, ct)
                   ?? throw new LexofficeException(BillingTexts.Get(BillingErrorCodes.LexofficeEmpty), response.StatusCode);
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
