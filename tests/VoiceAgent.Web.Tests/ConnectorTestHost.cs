using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using VoiceAgent.Calendars;
using VoiceAgent.Testing;
using VoiceAgent.Testing.Fakes;

namespace VoiceAgent.Web.Tests;

/// <summary>
/// The app wired to the Google and Graph fakes (and optionally Radicale), with the platform's OAuth app credentials
/// stored and the background job off (tests drive <see cref="BookingOutbox"/> themselves). Clients do not follow
/// redirects, so the 302 to the provider and back can be looked at.
/// </summary>
public sealed class ConnectorTestHost : IAsyncDisposable
{
    private ConnectorTestHost(VoiceAgentFactory app, FakeGoogleCalendarServer google, FakeGraphServer graph)
    {
        App = app;
        Google = google;
        Graph = graph;
    }

    public VoiceAgentFactory App { get; }

    public FakeGoogleCalendarServer Google { get; }

    public FakeGraphServer Graph { get; }

    public static async Task<ConnectorTestHost> StartAsync(PostgresServer database, Dictionary<string, string?>? settings = null)
    {
        var google = await FakeGoogleCalendarServer.StartAsync();
        var graph = await FakeGraphServer.StartAsync();
        var all = new Dictionary<string, string?>(google.Settings().Concat(graph.Settings()))
        {
            ["Calendars:RunWorker"] = "false",
            ["Calendars:AllowLocalCalDavServers"] = "true",
        };
        foreach (var (key, value) in settings ?? [])
        {
            all[key] = value;
        }

        var app = new VoiceAgentFactory(database) { Settings = all };
        var host = new ConnectorTestHost(app, google, graph);
        var admin = await app.LoginAsAdminAsync();
        foreach (var (key, value) in new Dictionary<string, string>
                 {
                     ["google.client_id"] = google.OAuth.ClientId,
                     ["google.client_secret"] = google.OAuth.ClientSecret,
                     ["microsoft.client_id"] = graph.OAuth.ClientId,
                     ["microsoft.client_secret"] = graph.OAuth.ClientSecret,
                 })
        {
            (await admin.PutAsJsonAsync($"/api/admin/settings/{key}", new { value })).EnsureSuccessStatusCode();
        }

        return host;
    }

    /// <summary>An approved tenant with the sample flow; its admin's bearer client (no redirects followed).</summary>
    public async Task<(Guid TenantId, Guid FlowId, HttpClient Admin)> TenantAsync(string email, string company = "Praxis Dr. Weber")
    {
        var (tenantId, _) = await App.ApprovedTenantAsync(email, company);
        var flowId = await App.SeedSampleFlowAsync(tenantId);
        return (tenantId, flowId, await ClientAsync(email, TestData.Password));
    }

    public async Task<HttpClient> ClientAsync(string email, string password)
    {
        var client = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var response = await client.PostAsJsonAsync("/api/auth/login", new { email, password, twoFactorCode = App.CurrentCode(email) });
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>The authorize redirect: the provider URL the app sends the browser to.</summary>
    public static async Task<Uri> AuthorizeAsync(HttpClient client, string provider)
    {
        var response = await client.GetAsync($"/api/tenant/connectors/{provider}/authorize");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return response.Headers.Location!;
    }

    /// <summary>The user approves at the fake provider; returns the callback path and query the browser would follow.</summary>
    public string Approve(string provider, Uri authorizeUrl)
    {
        var callback = new Uri((provider == CalendarProviders.Google ? Google.OAuth : Graph.OAuth).Approve(authorizeUrl));
        return callback.PathAndQuery;
    }

    /// <summary>Connects a provider the whole way and makes its calendar the booking calendar.</summary>
    public async Task ConnectAsync(HttpClient client, string provider, string? calendarId = null)
    {
        var callback = Approve(provider, await AuthorizeAsync(client, provider));
        var done = await client.GetAsync(callback);
        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        Assert.Equal($"/app/connectors?connected={provider}", done.Headers.Location!.ToString());
        calendarId ??= provider == CalendarProviders.Google ? FakeGoogleCalendarServer.PrimaryCalendar : FakeGraphServer.DefaultCalendar;
        (await client.PutAsJsonAsync($"/api/tenant/connectors/{provider}/calendar", new { calendarId })).EnsureSuccessStatusCode();
    }

    public async Task<JsonElement> ConnectorAsync(HttpClient client, string provider)
    {
        var list = await client.GetFromJsonAsync<JsonElement>("/api/tenant/connectors");
        return list.EnumerateArray().Single(c => c.GetProperty("provider").GetString() == provider);
    }

    /// <summary>Runs the background job once (as the hosted service would).</summary>
    public async Task<int> RunOutboxAsync()
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<BookingOutbox>().ProcessDueAsync(default);
    }

    /// <summary>The mails written so far, quoted-printable decoded (German umlauts readable).</summary>
    public IReadOnlyList<string> Mails() => App.Mails().Select(DecodeQuotedPrintable).ToList();

    /// <summary>The mails, once one containing <paramref name="text"/> was sent (the outbox job sends after commit; bounded wait).</summary>
    public async Task<IReadOnlyList<string>> MailsAsync(string text)
    {
        try
        {
            await Eventually.UntilAsync(() => Mails().Any(m => m.Contains(text, StringComparison.Ordinal)), $"a mail containing \"{text}\"");
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}; outbox: {await App.OutboxStatesAsync()}", ex);
        }

        return Mails();
    }

    private static string DecodeQuotedPrintable(string eml)
    {
        var text = eml.Replace("=\r\n", "", StringComparison.Ordinal);
        var bytes = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '=' && i + 2 < text.Length && Uri.IsHexDigit(text[i + 1]) && Uri.IsHexDigit(text[i + 2]))
            {
                bytes.Add(Convert.ToByte(text.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                bytes.AddRange(System.Text.Encoding.UTF8.GetBytes(text[i].ToString()));
            }
        }

        return System.Text.Encoding.UTF8.GetString(bytes.ToArray());
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Google.DisposeAsync();
        await Graph.DisposeAsync();
    }
}

/// <summary>A caller talking to a flow through the simulator API.</summary>
public sealed class SimulatedCall
{
    private readonly HttpClient client;
    private readonly Guid flowId;
    private Guid sessionId;

    private SimulatedCall(HttpClient client, Guid flowId)
    {
        this.client = client;
        this.flowId = flowId;
    }

    public static async Task<(SimulatedCall Call, JsonElement Greeting)> StartAsync(HttpClient client, Guid flowId, string caller)
    {
        var call = new SimulatedCall(client, flowId);
        var response = await client.PostAsJsonAsync($"/api/flows/{flowId}/simulations", new { callerNumber = caller });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        call.sessionId = body.GetProperty("sessionId").GetGuid();
        return (call, body);
    }

    public async Task<JsonElement> SayAsync(string text)
    {
        var response = await client.PostAsJsonAsync($"/api/flows/{flowId}/simulations/{sessionId}/turns", new { text });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static string[] Lines(JsonElement turn) => turn.GetProperty("lines").EnumerateArray().Select(l => l.GetString()!).ToArray();

    public static string Variable(JsonElement turn, string name, string property) =>
        turn.GetProperty("variables").GetProperty(name).GetProperty(property).ToString();
}
