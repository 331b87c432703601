using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using VoiceAgent.Platform.Security;
using VoiceAgent.Testing;
using VoiceAgent.Testing.Fakes;
using VoiceAgent.Web.Admin;

namespace VoiceAgent.Web.Tests;

/// <summary>
/// "Verbindung testen" on the settings page makes each provider's real authenticated call against a fake that follows the
/// provider's wire contract: accepted, refused, limited and unreachable are told apart, and nothing is cached.
/// </summary>
public sealed class ConnectionCheckTests : IntegrationTest
{
    private const string TwilioSid = "AC0123456789abcdef0123456789abcdef";
    private const string TwilioToken = "0123456789abcdef0123456789abcdef";

    // Split so that secret scanners do not mistake the test data for real credentials.
    private const string StripeKey = "sk_test_" + "51HxyzConnectionCheck0001";
    private const string LexofficeKey = "lexoffice-" + "key-0001";
    private const string OpenAiKey = "sk-proj-" + "connectioncheck0000000000000000000";

    [Fact]
    public async Task Every_provider_is_checked_with_a_real_call_accepted_refused_and_unreachable_told_apart()
    {
        await using var twilio = await FakeTwilioAccountsApi.StartAsync(TwilioSid, TwilioToken);
        await using var sipgate = await FakeSipgateApi.StartAsync();
        await using var stripe = await FakeStripeServer.StartAsync(StripeKey);
        await using var lexoffice = await FakeLexofficeServer.StartAsync(LexofficeKey);
        await using var openAi = await FakeOpenAiServer.StartAsync();
        openAi.RequiredKey = OpenAiKey;
        await using var google = await FakeGoogleCalendarServer.StartAsync();
        await using var graph = await FakeGraphServer.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Twilio:ApiBaseUrl"] = twilio.BaseUrl,
            ["Sipgate:Rest:BaseUrl"] = sipgate.BaseUrl.ToString(),
            ["Stripe:ApiBaseUrl"] = stripe.BaseUrl,
            ["Lexoffice:BaseUrl"] = lexoffice.BaseUrl,
            ["OpenAi:Endpoint"] = openAi.Endpoint.ToString(),
            ["Jobs:RunServer"] = "false",
            ["Calendars:RunWorker"] = "false",
        };
        foreach (var (key, value) in google.Settings().Concat(graph.Settings()))
        {
            settings[key] = value;
        }

        await using var app = new VoiceAgentFactory(Database) { Settings = settings };
        var admin = await app.LoginAsAdminAsync();

        async Task<ConnectionCheckResult?> Test(string provider)
        {
            await using var scope = app.Services.CreateAsyncScope();
            return await ProviderConnection.TestAsync(scope.ServiceProvider, provider, default);
        }

        async Task Store(string key, string value) =>
            (await admin.PutAsJsonAsync($"/api/admin/settings/{key}", new { value })).EnsureSuccessStatusCode();

        // Nothing stored: every provider says so, and no request leaves the house.
        foreach (var provider in ProviderKeys.Providers)
        {
            Assert.Equal(ConnectionState.NotConfigured, (await Test(provider))?.State);
        }

        Assert.Equal(0, twilio.Requests);
        Assert.Empty(sipgate.Requests);
        Assert.Empty(openAi.Requests);

        // Twilio: the account fetch with the stored SID and token.
        await Store("twilio.account_sid", TwilioSid);
        await Store("twilio.auth_token", "ffffffffffffffffffffffffffffffff");
        Assert.Equal(ConnectionState.Rejected, (await Test("twilio"))?.State);
        await Store("twilio.auth_token", TwilioToken);
        Assert.Equal(new ConnectionCheckResult(ConnectionState.Ok, TwilioSid), await Test("twilio"));
        Assert.Equal(ConnectionState.Ok, (await Test("twilio"))?.State);
        Assert.Equal(3, twilio.Requests); // never cached: each press asks Twilio

        // sipgate: userinfo with Basic token auth; a malformed token id is refused without a request.
        await Store("sipgate.token_id", "token-123");
        await Store("sipgate.token", FakeSipgateApi.Token);
        Assert.Equal(ConnectionState.Rejected, (await Test("sipgate"))?.State);
        Assert.Empty(sipgate.Requests);
        await Store("sipgate.token_id", "token-ZZ99zz");
        Assert.Equal(new ConnectionCheckResult(ConnectionState.Rejected, "HTTP 401"), await Test("sipgate"));
        await Store("sipgate.token_id", FakeSipgateApi.TokenId);
        Assert.Equal(new ConnectionCheckResult(ConnectionState.Ok, $"{FakeSipgateApi.TokenId} · w0"), await Test("sipgate"));
        sipgate.Fail(new FakeSipgateApi.Failure(503), new FakeSipgateApi.Failure(503));
        Assert.Equal(ConnectionState.Unreachable, (await Test("sipgate"))?.State);

        // Stripe: the balance, test or live mode; a restricted key without "Balance: read" works but is limited.
        await Store("stripe.secret_key", StripeKey);
        Assert.Equal(new ConnectionCheckResult(ConnectionState.Ok, "Test"), await Test("stripe"));
        var restricted = "rk_test_" + "51HxyzRestrictedKey0001";
        stripe.AddRestrictedKey(restricted, balanceRead: false);
        await Store("stripe.secret_key", restricted);
        Assert.Equal(new ConnectionCheckResult(ConnectionState.Limited, "Balance: read"), await Test("stripe"));
        await Store("stripe.secret_key", "sk_test_" + "51HxyzUnknownKey00000001");
        Assert.Equal(ConnectionState.Rejected, (await Test("stripe"))?.State);

        // Lexoffice: the profile names the organization; 401 refused; a 503 is not a verdict on the key.
        await Store("lexoffice.api_key", "wrong-key");
        Assert.Equal(new ConnectionCheckResult(ConnectionState.Rejected, "HTTP 401"), await Test("lexoffice"));
        await Store("lexoffice.api_key", LexofficeKey);
        Assert.Equal(new ConnectionCheckResult(ConnectionState.Ok, "Musterbuchhaltung GmbH"), await Test("lexoffice"));
        lexoffice.Fail("GET", "/v1/profile", 503);
        Assert.Equal(new ConnectionCheckResult(ConnectionState.Unreachable, "HTTP 503"), await Test("lexoffice"));

        // OpenAI: the chat model with the stored key; a model the key cannot use is "limited".
        await Store("openai.api_key", "sk-proj-" + "wrongwrongwrongwrongwrongwrong0000");
        Assert.Equal(new ConnectionCheckResult(ConnectionState.Rejected, "HTTP 401"), await Test("openai"));
        await Store("openai.api_key", OpenAiKey);
        Assert.Equal(new ConnectionCheckResult(ConnectionState.Ok, "gpt-4o-mini"), await Test("openai"));
        Assert.Contains(openAi.Requests, r => r.Method == "GET" && r.Path == "/v1/models/gpt-4o-mini" && r.Authorization == "Bearer " + OpenAiKey);
        openAi.Models.Remove("gpt-4o-mini");
        Assert.Equal(new ConnectionCheckResult(ConnectionState.Limited, "gpt-4o-mini"), await Test("openai"));

        // Google and Microsoft: the token endpoint authenticates the OAuth client (invalid_client) before the made-up grant.
        await Store("google.client_id", google.OAuth.ClientId);
        await Store("google.client_secret", "GOCSPX-wrong-secret-000000");
        Assert.Equal(new ConnectionCheckResult(ConnectionState.Rejected, "invalid_client"), await Test("google"));
        await Store("google.client_secret", google.OAuth.ClientSecret);
        Assert.Equal(ConnectionState.Ok, (await Test("google"))?.State);
        google.OAuth.FailTokenRequests(503);
        Assert.Equal(ConnectionState.Unreachable, (await Test("google"))?.State);
        Assert.All(google.OAuth.TokenRequests, r => Assert.Equal(VoiceAgent.Calendars.ClientCheck.ProbeToken, r["refresh_token"]));

        await Store("microsoft.client_id", graph.OAuth.ClientId);
        await Store("microsoft.client_secret", "wrong~secret~000000000000");
        Assert.Equal(new ConnectionCheckResult(ConnectionState.Rejected, "invalid_client"), await Test("microsoft"));
        await Store("microsoft.client_secret", graph.OAuth.ClientSecret);
        Assert.Equal(ConnectionState.Ok, (await Test("microsoft"))?.State);

        // Unknown providers have no check; the page says so instead of guessing.
        Assert.Null(await Test("carrier-pigeon"));
        Assert.Equal("Für diesen Anbieter gibt es keinen Verbindungstest; die Zugangsdaten sind hinterlegt.", ProviderConnection.Text(null));
        Assert.Equal("Die Zugangsdaten wurden abgelehnt. Bitte prüfen und neu speichern.",
            ProviderConnection.Text(new ConnectionCheckResult(ConnectionState.Rejected)));
    }
}
