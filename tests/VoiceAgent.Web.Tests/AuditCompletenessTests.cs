using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using VoiceAgent.Testing;

namespace VoiceAgent.Web.Tests;

/// <summary>
/// Every state-changing HTTP endpoint of the app is listed here, found by enumerating the app's routes: either with a
/// scenario that calls it as a real user would and the audit entry it must write (actor, tenant, what, and why where the
/// action takes a reason), or as not an actor's change, with the reason and where its own record is. A new POST, PUT,
/// PATCH or DELETE endpoint that is in neither list fails the first test.
/// </summary>
public sealed class AuditCompletenessTests : IntegrationTest
{
    private const string OwnSid = "AC" + "00112233445566778899aabbccddee01";
    private const string OwnToken = "0123456789abcdef0123456789abcdef";

    /// <summary>Endpoints that change no configuration an actor owns; each names where its trail is instead.</summary>
    private static readonly Dictionary<string, string> NotAnActorsChange = new()
    {
        ["POST /api/auth/login"] = "signs in; failed attempts are recorded by the lockout",
        ["POST /logout"] = "ends the caller's own session",
        ["POST /api/flows/validate"] = "checks a definition and stores nothing",
        ["POST /api/flows/{id:guid}/simulations"] = "a test conversation held in memory; nothing configured changes",
        ["POST /api/flows/{id:guid}/simulations/{sessionId:guid}/turns"] = "a turn of that test conversation",
        ["POST /api/flows/{id:guid}/simulations/{sessionId:guid}/speech"] = "a spoken turn of that test conversation",
        ["POST /telephony/twilio/voice"] = "a caller's call: the call and its events are the record (calls, call_events)",
        ["POST /telephony/twilio/gather"] = "a turn of a caller's call (call_events)",
        ["POST /telephony/twilio/dial"] = "the end of a transfer (call_events, usage)",
        ["POST /telephony/twilio/status"] = "Twilio's call status (calls, usage)",
        ["POST /telephony/twilio/stream-ended"] = "the end of a media stream (call_events)",
        ["POST /telephony/sipgate/push"] = "a sipgate call event (calls, call_events)",
        ["POST /app/billing/checkout"] = "sends the tenant to Stripe's checkout; the purchase is audited when Stripe confirms it",
        ["POST /stripe/webhook"] = "Stripe's payment event: recorded in stripe_events and audited as package.purchased (StripeTests)",
    };

    private sealed record Scenario(string Action, Func<Context, Task<HttpResponseMessage>> Act, Func<Context, Guid?> Tenant,
        bool WithReason = false);

    /// <summary>What the scenarios share: one tenant with a flow, a number and its admin, the super-admin, the fakes.</summary>
    private sealed class Context
    {
        public required ConnectorTestHost Host { get; init; }
        public required RadicaleServer Radicale { get; init; }
        public required HttpClient SuperAdmin { get; init; }
        public required HttpClient Admin { get; set; }
        public string? TwoFactorKey { get; set; }
        public required Guid TenantId { get; init; }
        public required string OwnerConnectionString { get; init; }
        public Guid FlowId { get; set; }
        public Guid NumberId { get; set; }
        public Guid UserId { get; set; }
        public Guid OtherTenantId { get; set; }
        public Guid CopyId { get; set; }
    }

    private static object Definition(string greeting) => JsonSerializer.Deserialize<JsonElement>($$"""
        {
          "name": "Test",
          "nodes": [
            { "id": "start", "type": "Start" },
            { "id": "bye", "type": "Hangup", "inputs": { "goodbye": "{{greeting}}" } }
          ],
          "connections": [ { "from": "start", "outcome": "Done", "to": "bye" } ]
        }
        """);

    private static async Task<Guid> IdOf(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

    /// <summary>In the order they run: later scenarios use what earlier ones created.</summary>
    private static readonly List<(string Endpoint, Scenario Scenario)> Scenarios =
    [
        ("POST /api/auth/register", new("tenant.registered", async c =>
        {
            var response = await c.Host.App.CreateClient().PostAsJsonAsync("/api/auth/register", TestData.Registration("neu@firma.de", "Neu GmbH"));
            c.OtherTenantId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("tenantId").GetGuid();
            return response;
        }, c => c.OtherTenantId)),
        ("POST /api/admin/tenants/{id:guid}/approve", new("tenant.approved",
            c => c.SuperAdmin.PostAsync($"/api/admin/tenants/{c.OtherTenantId}/approve", null), c => c.OtherTenantId)),
        ("POST /api/admin/tenants/{id:guid}/suspend", new("tenant.suspended",
            c => c.SuperAdmin.PostAsJsonAsync($"/api/admin/tenants/{c.OtherTenantId}/suspend", new { reason = "Zahlung offen" }),
            c => c.OtherTenantId, WithReason: true)),
        ("POST /api/admin/tenants/{id:guid}/reactivate", new("tenant.reactivated",
            c => c.SuperAdmin.PostAsync($"/api/admin/tenants/{c.OtherTenantId}/reactivate", null), c => c.OtherTenantId)),
        ("POST /api/admin/tenants/{id:guid}/reject", new("tenant.rejected", async c =>
        {
            var id = await c.Host.App.RegisterAsync(TestData.Registration("nein@firma.de", "Nein GmbH"));
            c.OtherTenantId = id;
            return await c.SuperAdmin.PostAsJsonAsync($"/api/admin/tenants/{id}/reject", new { reason = "Keine Umsatzsteuer-ID" });
        }, c => c.OtherTenantId, WithReason: true)),
        ("PUT /api/admin/settings/{key}", new("setting.changed",
            c => c.SuperAdmin.PutAsJsonAsync("/api/admin/settings/openai.api_key", new { value = "sk-test-" + new string('k', 40) }), _ => null)),
        ("DELETE /api/admin/settings/{key}", new("setting.cleared",
            c => c.SuperAdmin.DeleteAsync("/api/admin/settings/openai.api_key"), _ => null)),
        ("POST /api/tenant/users", new("user.added", async c =>
        {
            var response = await c.Admin.PostAsJsonAsync("/api/tenant/users", new { email = "team@praxis.de", password = TestData.Password, role = "TenantUser" });
            c.UserId = await IdOf(response);
            return response;
        }, c => c.TenantId)),
        ("DELETE /api/tenant/users/{id:guid}", new("user.removed", c => c.Admin.DeleteAsync($"/api/tenant/users/{c.UserId}"), c => c.TenantId)),
        ("POST /api/flows", new("flow.created", async c =>
        {
            var response = await c.Admin.PostAsJsonAsync("/api/flows", new { name = "Rezeption", definition = Definition("Hallo v1") });
            c.FlowId = await IdOf(response);
            return response;
        }, c => c.TenantId)),
        ("PATCH /api/flows/{id:guid}", new("flow.renamed",
            c => c.Admin.PatchAsJsonAsync($"/api/flows/{c.FlowId}", new { name = "Empfang" }), c => c.TenantId)),
        ("PUT /api/flows/{id:guid}/draft", new("flow.draft_saved",
            c => c.Admin.PutAsJsonAsync($"/api/flows/{c.FlowId}/draft", new { definition = Definition("Hallo v1b") }), c => c.TenantId)),
        ("POST /api/flows/{id:guid}/versions/{version:int}/stage", new("flow.staged",
            c => c.Admin.PostAsync($"/api/flows/{c.FlowId}/versions/1/stage", null), c => c.TenantId)),
        ("POST /api/flows/{id:guid}/versions/{version:int}/publish", new("flow.published", async c =>
        {
            (await c.Admin.PostAsync($"/api/flows/{c.FlowId}/versions/1/publish", null)).EnsureSuccessStatusCode();
            (await c.Admin.PutAsJsonAsync($"/api/flows/{c.FlowId}/draft", new { definition = Definition("Hallo v2") })).EnsureSuccessStatusCode();
            return await c.Admin.PostAsync($"/api/flows/{c.FlowId}/versions/2/publish", null);
        }, c => c.TenantId)),
        ("POST /api/flows/{id:guid}/versions/{version:int}/rollback", new("flow.rolled_back",
            c => c.Admin.PostAsync($"/api/flows/{c.FlowId}/versions/1/rollback", null), c => c.TenantId)),
        ("POST /api/flows/{id:guid}/import", new("flow.imported",
            c => c.Admin.PostAsJsonAsync($"/api/flows/{c.FlowId}/import", new { definition = Definition("Importiert") }), c => c.TenantId)),
        ("POST /api/flows/{id:guid}/duplicate", new("flow.duplicated", async c =>
        {
            var response = await c.Admin.PostAsJsonAsync($"/api/flows/{c.FlowId}/duplicate", new { name = "Empfang Kopie" });
            c.CopyId = await IdOf(response);
            return response;
        }, c => c.TenantId)),
        ("DELETE /api/flows/{id:guid}", new("flow.deleted", c => c.Admin.DeleteAsync($"/api/flows/{c.CopyId}"), c => c.TenantId)),
        ("POST /api/tenant/numbers", new("number.bound", async c =>
        {
            var response = await c.Admin.PostAsJsonAsync("/api/tenant/numbers", new { number = "030 1111111", region = "DE", flowId = c.FlowId });
            c.NumberId = await IdOf(response);
            return response;
        }, c => c.TenantId)),
        ("PUT /api/tenant/numbers/{id:guid}", new("number.repointed", async c =>
        {
            var other = await c.Admin.PostAsJsonAsync("/api/flows", new { name = "Abends", definition = Definition("Guten Abend") });
            var otherId = await IdOf(other);
            (await c.Admin.PostAsync($"/api/flows/{otherId}/versions/1/publish", null)).EnsureSuccessStatusCode();
            return await c.Admin.PutAsJsonAsync($"/api/tenant/numbers/{c.NumberId}", new { flowId = otherId });
        }, c => c.TenantId)),
        ("DELETE /api/tenant/numbers/{id:guid}", new("number.released", c => c.Admin.DeleteAsync($"/api/tenant/numbers/{c.NumberId}"), c => c.TenantId)),
        ("PUT /api/tenant/twilio-account", new("twilio_account.connected",
            c => c.Admin.PutAsJsonAsync("/api/tenant/twilio-account", new { accountSid = OwnSid, authToken = OwnToken }), c => c.TenantId)),
        ("DELETE /api/tenant/twilio-account", new("twilio_account.disconnected",
            c => c.Admin.DeleteAsync("/api/tenant/twilio-account"), c => c.TenantId)),
        ("PUT /api/tenant/call-settings", new("call_settings.changed",
            c => c.Admin.PutAsJsonAsync("/api/tenant/call-settings", new { transferTargets = new[] { "030 555555" }, handoffTarget = "+49 89 1234567" }),
            c => c.TenantId)),
        ("PUT /api/tenant/speech", new("speech.changed",
            c => c.Admin.PutAsJsonAsync("/api/tenant/speech", new { provider = "Offline", voice = (string?)null }), c => c.TenantId)),
        ("POST /api/tenant/connectors/caldav", new("connector.connected",
            c => c.Admin.PostAsJsonAsync("/api/tenant/connectors/caldav",
                new { url = c.Radicale.PrincipalUrl, username = RadicaleServer.User, password = RadicaleServer.Password }), c => c.TenantId)),
        ("PUT /api/tenant/connectors/{provider}/calendar", new("connector.calendar_selected", async c =>
        {
            var calendars = await c.Admin.GetFromJsonAsync<JsonElement>("/api/tenant/connectors/caldav/calendars");
            var calendarId = calendars.EnumerateArray().First().GetProperty("id").GetString();
            return await c.Admin.PutAsJsonAsync("/api/tenant/connectors/caldav/calendar", new { calendarId });
        }, c => c.TenantId)),
        ("PUT /api/tenant/calendar-settings", new("calendar.settings_changed",
            c => c.Admin.PutAsJsonAsync("/api/tenant/calendar-settings",
                new { timeZone = "Europe/Vienna", businessHours = new { sat = new[] { "10:00-12:00" } }, slotMinutes = 60, bufferMinutes = 15 }),
            c => c.TenantId)),
        ("DELETE /api/tenant/connectors/{provider}", new("connector.disconnected",
            c => c.Admin.DeleteAsync("/api/tenant/connectors/caldav"), c => c.TenantId)),
        ("POST /api/tenant/setup/resume", new("setup.resumed", c => c.Admin.PostAsync("/api/tenant/setup/resume", null), c => c.TenantId)),
        ("POST /api/tenant/setup/skip", new("setup.skipped", c => c.Admin.PostAsync("/api/tenant/setup/skip", null), c => c.TenantId)),
        ("PUT /api/tenant/privacy/retention", new("privacy.retention_changed",
            c => c.Admin.PutAsJsonAsync("/api/tenant/privacy/retention", new { days = 30 }), c => c.TenantId)),
        ("POST /api/admin/tenants/{id:guid}/export", new("privacy.tenant_exported",
            c => c.SuperAdmin.PostAsJsonAsync($"/api/admin/tenants/{c.TenantId}/export", new { reason = "Auskunft nach Art. 15 DSGVO" }),
            c => c.TenantId)),
        // Enabling two-factor changes the security stamp: the admin signs in again with a code.
        ("POST /api/account/2fa/enable", new("user.2fa_enabled", async c =>
        {
            var setup = await c.Admin.GetFromJsonAsync<JsonElement>("/api/account/2fa");
            c.TwoFactorKey = setup.GetProperty("sharedKey").GetString()!;
            var response = await c.Admin.PostAsJsonAsync("/api/account/2fa/enable", new { code = Totp.Code(c.TwoFactorKey) });
            c.Admin = await BearerAsync(c, new { email = "chef@praxis.de", password = TestData.Password, twoFactorCode = Totp.Code(c.TwoFactorKey) });
            return response;
        }, c => c.TenantId)),
        ("POST /api/account/2fa/recovery-codes", new("user.recovery_codes_renewed",
            c => c.Admin.PostAsync("/api/account/2fa/recovery-codes", null), c => c.TenantId)),
        ("POST /api/account/2fa/disable", new("user.2fa_disabled", async c =>
        {
            var response = await c.Admin.PostAsync("/api/account/2fa/disable", null);
            c.Admin = await BearerAsync(c, new { email = "chef@praxis.de", password = TestData.Password });
            return response;
        }, c => c.TenantId)),
        ("POST /api/admin/users/{id:guid}/unlock", new("user.unlocked",
            async c => await c.SuperAdmin.PostAsync($"/api/admin/users/{await UserIdAsync(c, "chef@praxis.de")}/unlock", null), c => c.TenantId)),
        ("POST /api/admin/users/{id:guid}/reset-2fa", new("user.2fa_reset", async c =>
        {
            var response = await c.SuperAdmin.PostAsJsonAsync($"/api/admin/users/{await UserIdAsync(c, "chef@praxis.de")}/reset-2fa",
                new { reason = "Telefon verloren" });
            c.Admin = await BearerAsync(c, new { email = "chef@praxis.de", password = TestData.Password });
            return response;
        }, c => c.TenantId, WithReason: true)),
        ("POST /api/account/password", new("user.password_changed", async c =>
        {
            var response = await c.Admin.PostAsJsonAsync("/api/account/password",
                new { currentPassword = TestData.Password, newPassword = "Neues-Passwort-2026!" });
            c.Admin = await BearerAsync(c, new { email = "chef@praxis.de", password = "Neues-Passwort-2026!" });
            return response;
        }, c => c.TenantId)),
        ("POST /api/admin/tenants/{id:guid}/contract-end", new("tenant.contract_ended",
            c => c.SuperAdmin.PostAsJsonAsync($"/api/admin/tenants/{c.TenantId}/contract-end", new { reason = "Vertrag gekündigt" }),
            c => c.TenantId, WithReason: true)),
        ("POST /api/admin/tenants/{id:guid}/contract-end/revoke", new("tenant.contract_end_revoked",
            c => c.SuperAdmin.PostAsJsonAsync($"/api/admin/tenants/{c.TenantId}/contract-end/revoke", new { reason = "Kündigung zurückgenommen" }),
            c => c.TenantId, WithReason: true)),
    ];

    /// <summary>Audited endpoints whose scenario needs data only their own tests seed; the named test asserts the entry.</summary>
    private static readonly Dictionary<string, string> AuditAssertedBy = new()
    {
        ["POST /api/tenant/privacy/callers/export"] = nameof(GdprTests.Caller_export_holds_exactly_that_numbers_data_of_the_own_tenant),
        ["POST /api/tenant/privacy/callers/erase"] =
            nameof(GdprTests.Caller_erasure_removes_the_numbers_data_keeps_billed_calls_anonymous_and_pseudonymizes_the_audit),
    };

    private static async Task<HttpClient> BearerAsync(Context c, object login)
    {
        var client = c.Host.App.CreateClient();
        var response = await client.PostAsJsonAsync("/api/auth/login", login);
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static async Task<Guid> UserIdAsync(Context c, string email)
    {
        await using var connection = new NpgsqlConnection(c.OwnerConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT id FROM users WHERE email = @email", connection);
        cmd.Parameters.AddWithValue("email", email);
        return (Guid)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>The state-changing endpoints the app really serves, as "METHOD /pattern".</summary>
    private static IReadOnlyList<string> StateChangingEndpoints(IServiceProvider services) =>
        services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            // Portal pages accept form posts too; what they change goes through the services covered below.
            .Where(e => !e.Metadata.Any(m => m.GetType().Name == "ComponentTypeMetadata"))
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [])
                .Where(m => m is "POST" or "PUT" or "PATCH" or "DELETE")
                .Select(m => $"{m} /{e.RoutePattern.RawText!.Trim('/')}"))
            .Distinct().Order().ToList();

    [Fact]
    public void Every_state_changing_endpoint_is_audited_or_says_why_not()
    {
        var endpoints = StateChangingEndpoints(App.Services);
        var known = Scenarios.Select(s => s.Endpoint).Concat(NotAnActorsChange.Keys).Concat(AuditAssertedBy.Keys).ToHashSet();

        Assert.True(endpoints.Count >= 40, $"Only {endpoints.Count} state-changing endpoints found: the enumeration is broken.");
        var unlisted = endpoints.Where(e => !known.Contains(e)).ToList();
        Assert.True(unlisted.Count == 0, "Not audited and not explained: " + string.Join(", ", unlisted));
        // No stale entries either: a removed endpoint leaves the lists.
        var stale = known.Where(k => !endpoints.Contains(k)).ToList();
        Assert.True(stale.Count == 0, "Listed but not served: " + string.Join(", ", stale));
        Assert.Empty(Scenarios.GroupBy(s => s.Endpoint).Where(g => g.Count() > 1).Select(g => g.Key));
    }

    [Fact]
    public async Task Each_audited_endpoint_writes_actor_tenant_what_and_why()
    {
        await using var radicale = await RadicaleServer.StartAsync();
        await radicale.CreateCalendarAsync("termine", "Termine");
        await using var twilio = await FakeTwilioAccountsApi.StartAsync(OwnSid, OwnToken);
        await using var host = await ConnectorTestHost.StartAsync(Database, new() { ["Twilio:ApiBaseUrl"] = twilio.BaseUrl });
        var (tenantId, admin) = await host.App.ApprovedTenantAsync("chef@praxis.de", "Praxis Dr. Weber");
        var context = new Context
        {
            Host = host, Radicale = radicale, TenantId = tenantId, OwnerConnectionString = Database.OwnerConnectionString, Admin = admin, SuperAdmin = await host.App.LoginAsAdminAsync(),
        };

        var failures = new List<string>();
        foreach (var (endpoint, scenario) in Scenarios)
        {
            var before = await LastAuditIdAsync();
            var response = await scenario.Act(context);
            if (!response.IsSuccessStatusCode)
            {
                failures.Add($"{endpoint}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                continue;
            }

            var entries = await AuditSinceAsync(before);
            var entry = entries.LastOrDefault(e => e.Action == scenario.Action);
            if (entry is null)
            {
                failures.Add($"{endpoint}: no '{scenario.Action}' entry (found: {string.Join(", ", entries.Select(e => e.Action))})");
                continue;
            }

            var expectedTenant = scenario.Tenant(context);
            if (entry.TenantId != expectedTenant)
            {
                failures.Add($"{endpoint}: tenant {entry.TenantId?.ToString() ?? "none"}, expected {expectedTenant?.ToString() ?? "none"}");
            }

            if (string.IsNullOrWhiteSpace(entry.ActorEmail) && entry.ActorId is null)
            {
                failures.Add($"{endpoint}: no actor");
            }

            if (string.IsNullOrWhiteSpace(entry.Details) && string.IsNullOrWhiteSpace(entry.Reason))
            {
                failures.Add($"{endpoint}: '{entry.Action}' says nothing about what changed");
            }

            if (scenario.WithReason && string.IsNullOrWhiteSpace(entry.Reason))
            {
                failures.Add($"{endpoint}: '{entry.Action}' has no reason");
            }
        }

        Assert.True(failures.Count == 0, string.Join(System.Environment.NewLine, failures));
    }

    private sealed record Entry(long Id, Guid? TenantId, Guid? ActorId, string? ActorEmail, string Action, string? Details, string? Reason);

    private async Task<long> LastAuditIdAsync() => await CountAsync("SELECT coalesce(max(id), 0) FROM audit_entries");

    private async Task<List<Entry>> AuditSinceAsync(long id)
    {
        await using var connection = new NpgsqlConnection(Database.OwnerConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT id, tenant_id, actor_id, actor_email, action, details, reason FROM audit_entries WHERE id > @id ORDER BY id", connection);
        cmd.Parameters.AddWithValue("id", id);
        var entries = new List<Entry>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            entries.Add(new Entry(reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetGuid(1), reader.IsDBNull(2) ? null : reader.GetGuid(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetString(6)));
        }

        return entries;
    }
}
