using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace VoiceAgent.Testing.Fakes;

/// <summary>
/// Lexware Office (Lexoffice) on 127.0.0.1 after API-CONTRACTS.md §3: bearer key, JSON content type (415), a 2 requests/s
/// token bucket shared by all endpoints (429 without Retry-After), contacts with optimistic locking (409 on a stale
/// version), invoices created finalized with voucher numbers, the invoice file (409 for drafts), the voucher list, the
/// date format check (406) and the two error formats. Failures can be scripted per path; a "lost answer" stores the
/// invoice and then never answers (what a crash or timeout after sending looks like to the client).
/// </summary>
public sealed partial class FakeLexofficeServer : IAsyncDisposable
{
    public sealed record Request(string Method, string Path, int Status, DateTimeOffset At);

    private sealed record ScriptedFailure(string Method, string PathPrefix, int Status, string? Body, int? RetryAfterSeconds);

    private readonly WebApplication app;
    private readonly string apiKey;
    private readonly ConcurrentDictionary<Guid, JsonObject> contacts = new();
    private readonly ConcurrentDictionary<Guid, JsonObject> invoices = new();
    private readonly ConcurrentQueue<Request> requests = new();
    private readonly ConcurrentQueue<ScriptedFailure> failures = new();
    private readonly object bucketLock = new();
    private double tokens = 2;
    private DateTimeOffset refilled = DateTimeOffset.UtcNow;
    private int voucherCounter;
    private volatile bool loseNextCreateAnswer;

    private FakeLexofficeServer(WebApplication app, string apiKey)
    {
        this.app = app;
        this.apiKey = apiKey;
    }

    public string BaseUrl { get; private set; } = "";

    public IReadOnlyList<Request> Requests => requests.ToArray();

    public IReadOnlyCollection<JsonObject> Invoices => invoices.Values.ToList();

    public IReadOnlyCollection<JsonObject> Contacts => contacts.Values.ToList();

    /// <summary>Requests refused by the token bucket (not the scripted ones).</summary>
    public int Throttled { get; private set; }

    /// <summary>Completes when an invoice was stored whose answer is being withheld.</summary>
    public TaskCompletionSource<Guid> AnswerLost { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The organization GET /v1/profile names.</summary>
    public string CompanyName { get; set; } = "Musterbuchhaltung GmbH";

    public static async Task<FakeLexofficeServer> StartAsync(string apiKey)
    {
        var server = new FakeLexofficeServer(LoopbackHost.Create(), apiKey);
        server.app.Run(server.HandleAsync);
        server.BaseUrl = await LoopbackHost.StartAsync(server.app);
        return server;
    }

    /// <summary>The next <paramref name="count"/> requests matching method and path prefix get this status (and body).</summary>
    public void Fail(string method, string pathPrefix, int status, int count = 1, string? body = null, int? retryAfterSeconds = null)
    {
        for (var i = 0; i < count; i++)
        {
            failures.Enqueue(new ScriptedFailure(method, pathPrefix, status, body, retryAfterSeconds));
        }
    }

    /// <summary>The next invoice is stored, but its answer never comes (the connection stays open until the client gives up).</summary>
    public void LoseNextCreateAnswer() => loseNextCreateAnswer = true;

    /// <summary>Someone edits the contact in Lexoffice: its version moves on.</summary>
    public void TouchContact(Guid id) => contacts[id]["version"] = (int)contacts[id]["version"]! + 1;

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await app.StopAsync(stop.Token);
        await app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext http)
    {
        var method = http.Request.Method;
        var path = http.Request.Path.Value ?? "";
        var arrived = DateTimeOffset.UtcNow;
        var status = await DispatchAsync(http, method, path);
        requests.Enqueue(new Request(method, path + http.Request.QueryString, status, arrived));
    }

    private async Task<int> DispatchAsync(HttpContext http, string method, string path)
    {
        if (http.Request.Headers.Authorization.ToString() != "Bearer " + apiKey)
        {
            return await JsonAsync(http, 401, new JsonObject { ["message"] = "Unauthorized" });
        }

        if (!TakeToken())
        {
            Throttled++;
            http.Response.StatusCode = 429;
            return 429;
        }

        if (failures.TryPeek(out var failure) && failure.Method == method && path.StartsWith(failure.PathPrefix, StringComparison.Ordinal)
            && failures.TryDequeue(out failure))
        {
            http.Response.StatusCode = failure.Status;
            if (failure.RetryAfterSeconds is { } seconds)
            {
                http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            if (failure.Body is not null)
            {
                http.Response.ContentType = "application/json";
                await http.Response.WriteAsync(failure.Body);
            }

            return failure.Status;
        }

        if (method is "POST" or "PUT" && http.Request.ContentType?.StartsWith("application/json", StringComparison.Ordinal) != true)
        {
            http.Response.StatusCode = 415;
            return 415;
        }

        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return (method, segments) switch
        {
            ("POST", ["v1", "contacts"]) => await CreateContactAsync(http),
            ("GET", ["v1", "contacts", var id]) => await GetAsync(http, contacts, id),
            ("PUT", ["v1", "contacts", var id]) => await UpdateContactAsync(http, id),
            ("POST", ["v1", "invoices"]) => await CreateInvoiceAsync(http),
            ("GET", ["v1", "invoices", var id]) => await GetAsync(http, invoices, id),
            ("GET", ["v1", "invoices", var id, "file"]) => await FileAsync(http, id),
            ("GET", ["v1", "voucherlist"]) => await VoucherListAsync(http),
            ("GET", ["v1", "profile"]) => await JsonAsync(http, 200, new JsonObject
            {
                ["organizationId"] = "aa93e8a8-2aa3-470b-b914-caad8a255dd8",
                ["companyName"] = CompanyName,
                ["taxType"] = "net",
                ["smallBusiness"] = false,
            }),
            _ => await JsonAsync(http, 404, new JsonObject { ["message"] = "Not Found" }),
        };
    }

    // 2 requests per second, bucket of 2, shared by all endpoints.
    private bool TakeToken()
    {
        lock (bucketLock)
        {
            var now = DateTimeOffset.UtcNow;
            tokens = Math.Min(2, tokens + (now - refilled).TotalSeconds * 2);
            refilled = now;
            if (tokens < 1)
            {
                return false;
            }

            tokens -= 1;
            return true;
        }
    }

    private async Task<int> CreateContactAsync(HttpContext http)
    {
        var body = await ReadAsync(http);
        var problems = new List<(string Key, string Source)>();
        if (body?["version"]?.GetValue<int>() != 0)
        {
            problems.Add(("invalid_value", "version"));
        }

        if (body?["roles"] is not JsonObject { Count: > 0 })
        {
            problems.Add(("missing_entity", "roles"));
        }

        if (body?["company"]?["name"] is null)
        {
            problems.Add(("missing_entity", "company.name"));
        }

        if (body?["addresses"]?["billing"] is not JsonArray { Count: 1 } billing || billing[0]?["countryCode"] is null)
        {
            problems.Add(("missing_entity", "addresses.billing[0].countryCode"));
        }

        if (problems.Count > 0)
        {
            return await LegacyErrorAsync(http, 406, problems);
        }

        var id = Guid.NewGuid();
        body!["id"] = id.ToString();
        body["version"] = 1;
        contacts[id] = body;
        return await JsonAsync(http, 200, ActionResult(id, 1));
    }

    private async Task<int> UpdateContactAsync(HttpContext http, string idText)
    {
        if (!Guid.TryParse(idText, out var id) || !contacts.TryGetValue(id, out var current))
        {
            return await LegacyErrorAsync(http, 404, [("missing_entity", "id")]);
        }

        var body = await ReadAsync(http);
        if (body?["version"]?.GetValue<int>() != (int)current["version"]!)
        {
            return await JsonAsync(http, 409, new JsonObject { ["IssueList"] = new JsonArray(new JsonObject { ["i18nKey"] = "conflict", ["source"] = "version" }) });
        }

        var version = (int)current["version"]! + 1;
        body!["id"] = id.ToString();
        body["version"] = version;
        contacts[id] = body;
        return await JsonAsync(http, 200, ActionResult(id, version));
    }

    private async Task<int> CreateInvoiceAsync(HttpContext http)
    {
        var body = await ReadAsync(http);
        var details = new List<(string Violation, string Field)>();
        if (body?["voucherDate"]?.ToString() is not { } date || !LexofficeDate().IsMatch(date))
        {
            details.Add(("PATTERN", "voucherDate"));
        }

        if (body?["address"]?["contactId"]?.ToString() is not { } contact || !Guid.TryParse(contact, out var contactId) || !contacts.ContainsKey(contactId))
        {
            details.Add(("NOTNULL", "address.contactId"));
        }

        var items = body?["lineItems"] as JsonArray;
        if (items is not { Count: > 0 and <= 300 })
        {
            details.Add(("NOTNULL", "lineItems"));
        }
        else
        {
            for (var i = 0; i < items.Count; i++)
            {
                var item = items[i]!;
                if ((string?)item["type"] != "custom" || item["name"] is null || item["quantity"] is null || item["unitName"] is null
                    || item["unitPrice"]?["netAmount"] is null || item["unitPrice"]?["taxRatePercentage"] is null || (string?)item["unitPrice"]?["currency"] != "EUR")
                {
                    details.Add(("NOTNULL", $"lineItems[{i}].unitPrice.taxRatePercentage"));
                }
            }
        }

        var taxType = body?["taxConditions"]?["taxType"]?.ToString();
        if (taxType is not ("net" or "gross" or "vatfree" or "intraCommunitySupply" or "constructionService13b" or "externalService13b"
            or "thirdPartyCountryService" or "thirdPartyCountryDelivery" or "photovoltaicEquipment"))
        {
            details.Add(("NOTNULL", "taxConditions.taxType"));
        }

        var shipping = body?["shippingConditions"];
        if ((string?)shipping?["shippingType"] == "serviceperiod" && (shipping?["shippingDate"] is null || shipping?["shippingEndDate"] is null))
        {
            details.Add(("NOTNULL", "shippingConditions.shippingEndDate"));
        }

        if (details.Count > 0)
        {
            return await JsonAsync(http, 406, new JsonObject
            {
                ["timestamp"] = DateTimeOffset.UtcNow.ToString("O"),
                ["status"] = 406,
                ["error"] = "Not Acceptable",
                ["path"] = "/v1/invoices",
                ["message"] = "Validation failed for request. Please see details list for specific causes.",
                ["details"] = new JsonArray(details.Select(d => (JsonNode)new JsonObject { ["violation"] = d.Violation, ["field"] = d.Field, ["message"] = "darf nicht leer sein" }).ToArray()),
            });
        }

        var id = Guid.NewGuid();
        var finalize = http.Request.Query["finalize"] == "true";
        body!["id"] = id.ToString();
        body["version"] = 1;
        body["voucherStatus"] = finalize ? "open" : "draft";
        body["voucherNumber"] = finalize ? $"RE{Interlocked.Increment(ref voucherCounter):0000}" : null;
        body["createdDate"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz");
        body["totalPrice"] = Totals(items!);
        invoices[id] = body;

        if (loseNextCreateAnswer)
        {
            loseNextCreateAnswer = false;
            AnswerLost.TrySetResult(id);
            await Task.Delay(Timeout.Infinite, http.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            return 0;
        }

        return await JsonAsync(http, 200, ActionResult(id, 1));
    }

    private async Task<int> FileAsync(HttpContext http, string idText)
    {
        if (!Guid.TryParse(idText, out var id) || !invoices.TryGetValue(id, out var invoice))
        {
            return await JsonAsync(http, 404, new JsonObject { ["message"] = "Not Found" });
        }

        if ((string?)invoice["voucherStatus"] == "draft")
        {
            return await JsonAsync(http, 409, new JsonObject { ["message"] = "Conflict" });
        }

        var pdf = Encoding.ASCII.GetBytes($"%PDF-1.4\n% Lexoffice fake {invoice["voucherNumber"]}\n%%EOF\n");
        http.Response.StatusCode = 200;
        http.Response.ContentType = "application/pdf";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{invoice["voucherNumber"]}.pdf\"";
        http.Response.ContentLength = pdf.Length;
        await http.Response.Body.WriteAsync(pdf);
        return 200;
    }

    private async Task<int> VoucherListAsync(HttpContext http)
    {
        var query = http.Request.Query;
        if (string.IsNullOrEmpty(query["voucherType"]) || string.IsNullOrEmpty(query["voucherStatus"]))
        {
            return await JsonAsync(http, 400, new JsonObject { ["message"] = "voucherType and voucherStatus are required" });
        }

        var matches = invoices.Values
            .Where(i => string.IsNullOrEmpty(query["contactId"]) || (string?)i["address"]?["contactId"] == query["contactId"])
            .Where(i => string.IsNullOrEmpty(query["createdDateFrom"])
                        || string.CompareOrdinal(((string)i["createdDate"]!)[..10], query["createdDateFrom"]!) >= 0)
            .Select(i => (JsonNode)new JsonObject
            {
                ["id"] = (string?)i["id"],
                ["voucherType"] = "invoice",
                ["voucherStatus"] = (string?)i["voucherStatus"],
                ["voucherNumber"] = (string?)i["voucherNumber"],
                ["voucherDate"] = (string?)i["voucherDate"],
                ["contactId"] = (string?)i["address"]?["contactId"],
            })
            .ToArray();
        return await JsonAsync(http, 200, new JsonObject
        {
            ["content"] = new JsonArray(matches),
            ["first"] = true,
            ["last"] = true,
            ["totalPages"] = 1,
            ["totalElements"] = matches.Length,
            ["numberOfElements"] = matches.Length,
            ["size"] = 250,
            ["number"] = 0,
        });
    }

    private static async Task<int> GetAsync(HttpContext http, ConcurrentDictionary<Guid, JsonObject> store, string idText)
    {
        return Guid.TryParse(idText, out var id) && store.TryGetValue(id, out var value)
            ? await JsonAsync(http, 200, value.DeepClone())
            : await JsonAsync(http, 404, new JsonObject { ["message"] = "Not Found" });
    }

    private static JsonObject Totals(JsonArray items)
    {
        var net = items.Sum(i => Math.Round((decimal)i!["quantity"]! * (decimal)i["unitPrice"]!["netAmount"]!, 2, MidpointRounding.AwayFromZero));
        var rate = items.Count > 0 ? (decimal)items[0]!["unitPrice"]!["taxRatePercentage"]! : 0m;
        var tax = Math.Round(net * rate / 100m, 2, MidpointRounding.AwayFromZero);
        return new JsonObject { ["currency"] = "EUR", ["totalNetAmount"] = net, ["totalTaxAmount"] = tax, ["totalGrossAmount"] = net + tax };
    }

    private static JsonObject ActionResult(Guid id, int version) => new()
    {
        ["id"] = id.ToString(),
        ["resourceUri"] = $"https://api.lexware.io/v1/{id}",
        ["createdDate"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz"),
        ["updatedDate"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz"),
        ["version"] = version,
    };

    private static async Task<JsonObject?> ReadAsync(HttpContext http)
    {
        try
        {
            return await JsonSerializer.DeserializeAsync<JsonObject>(http.Request.Body);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static Task<int> LegacyErrorAsync(HttpContext http, int status, IEnumerable<(string Key, string Source)> issues) =>
        JsonAsync(http, status, new JsonObject
        {
            ["IssueList"] = new JsonArray(issues.Select(i => (JsonNode)new JsonObject
            {
                ["i18nKey"] = i.Key,
                ["source"] = i.Source,
                ["type"] = "validation_failure",
                ["additionalData"] = null,
                ["args"] = null,
            }).ToArray()),
        });

    private static async Task<int> JsonAsync(HttpContext http, int status, JsonNode body)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(body.ToJsonString());
        return status;
    }

    // yyyy-MM-ddTHH:mm:ss.SSSXXX: exactly three fraction digits and a colon in the offset.
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2}$")]
    private static partial Regex LexofficeDate();
}
