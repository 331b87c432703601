using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using NpgsqlTypes;
using VoiceAgent.Flows.Runtime;
using VoiceAgent.Testing;
using VoiceAgent.Web.Privacy;

namespace VoiceAgent.Web.Tests;

/// <summary>
/// GDPR per caller number and per tenant against the real database: the export holds exactly the number's data of the
/// tenant, erasure removes exactly that (billed calls stay without the number), the audit keeps pseudonyms only, the tenant
/// ZIP, the contract-end deletion that keeps invoices, and the retention job on a fake clock.
/// </summary>
public sealed class GdprTests : IntegrationTest
{
    private const string Anna = "+491701111111";
    private const string Bernd = "+491702222222";
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);

    protected override Dictionary<string, string?> AppSettings => new() { ["Privacy:RunJobs"] = "false" };

    [Fact]
    public async Task Caller_export_holds_exactly_that_numbers_data_of_the_own_tenant()
    {
        var (a, adminA, b, adminB, _) = await SeedTwoPracticesAsync();

        // National form, as the practice would type it.
        var response = await adminA.PostAsJsonAsync("/api/tenant/privacy/callers/export", new { number = "0170 1111111", reason = "Anfrage per Brief" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        var export = await Json(response);
        Assert.Equal(Anna, export.GetProperty("number").GetString());
        Assert.Equal(2, export.GetProperty("calls").GetArrayLength());
        Assert.Equal(2, export.GetProperty("transcripts").GetArrayLength());
        Assert.Equal(2, export.GetProperty("bookings").GetArrayLength()); // sandbox + external calendar
        Assert.Contains("Anna Alpha", text);
        Assert.Contains("Anna bezahlt", text);
        Assert.DoesNotContain("Bernd", text);
        Assert.DoesNotContain("Gamma", text);
        Assert.DoesNotContain(b.ToString(), text);

        // Audited with a pseudonym, never the number.
        Assert.Equal(1L, await CountAsync($"SELECT count(*) FROM audit_entries WHERE tenant_id = '{a}' AND action = 'privacy.caller_exported' " +
            "AND details LIKE 'pseud:%' AND reason = 'Anfrage per Brief' AND actor_email = 'a@praxis.test'"));
        Assert.Equal(0L, await CountAsync($"SELECT count(*) FROM audit_entries WHERE details LIKE '%1701111111%' OR reason LIKE '%1701111111%'"));

        // Another tenant's caller, bad input, no reason, and a tenant user's or super-admin's request.
        Assert.Equal(HttpStatusCode.NotFound,
            (await adminB.PostAsJsonAsync("/api/tenant/privacy/callers/export", new { number = Bernd, reason = "x" })).StatusCode);
        var invalid = await FieldErrors(await adminA.PostAsJsonAsync("/api/tenant/privacy/callers/export", new { number = "abc", reason = "" }));
        Assert.True(invalid.ContainsKey("number") && invalid.ContainsKey("reason"));
        Assert.Contains("Anlass", invalid["reason"][0]);
        var superAdmin = await App.LoginAsAdminAsync();
        Assert.Equal(HttpStatusCode.Forbidden,
            (await superAdmin.PostAsJsonAsync("/api/tenant/privacy/callers/export", new { number = Anna, reason = "x" })).StatusCode);
    }

    [Fact]
    public async Task Caller_erasure_removes_the_numbers_data_keeps_billed_calls_anonymous_and_pseudonymizes_the_audit()
    {
        var (a, adminA, b, _, billed) = await SeedTwoPracticesAsync();
        await AuditAsync(a, $"Rückruf an {Anna} notiert");
        await AuditAsync(b, $"Rückruf an {Anna} notiert");

        var response = await adminA.PostAsJsonAsync("/api/tenant/privacy/callers/erase",
            new { number = Anna, reason = $"Löschantrag von {Anna} per E-Mail" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var erasure = await Json(response);
        Assert.Equal(1, erasure.GetProperty("callsDeleted").GetInt32());
        Assert.Equal(1, erasure.GetProperty("callsAnonymized").GetInt32());
        Assert.Equal(2, erasure.GetProperty("transcripts").GetInt32());
        Assert.Equal(2, erasure.GetProperty("bookings").GetInt32());

        // Tenant A: nothing of Anna left; the billed call stays for the invoice, without number or transcript.
        Assert.Equal(0L, await CountAsync($"SELECT count(*) FROM calls WHERE tenant_id = '{a}' AND from_number = '{Anna}'"));
        Assert.Equal(1L, await CountAsync($"SELECT count(*) FROM calls WHERE id = '{billed}' AND from_number IS NULL AND session_id IS NULL"));
        Assert.Equal(1L, await CountAsync($"SELECT count(*) FROM usage_records WHERE call_id = '{billed}'"));
        Assert.Equal(0L, await CountAsync($"SELECT count(*) FROM flow_sessions WHERE tenant_id = '{a}' AND state::text LIKE '%Anna%'"));
        Assert.Equal(0L, await CountAsync($"SELECT count(*) FROM sandbox_events WHERE tenant_id = '{a}' AND caller_number = '{Anna}'"));
        Assert.Equal(0L, await CountAsync($"SELECT count(*) FROM calendar_bookings WHERE tenant_id = '{a}' AND caller_number = '{Anna}'"));
        Assert.Equal(0L, await CountAsync($"SELECT count(*) FROM audit_entries WHERE tenant_id = '{a}' AND (details LIKE '%{Anna}%' OR reason LIKE '%{Anna}%')"));
        Assert.Equal(1L, await CountAsync($"SELECT count(*) FROM audit_entries WHERE tenant_id = '{a}' AND details LIKE 'Rückruf an pseud:% notiert'"));
        Assert.Equal(1L, await CountAsync($"SELECT count(*) FROM audit_entries WHERE tenant_id = '{a}' AND action = 'privacy.caller_erased' " +
            "AND details LIKE 'pseud:%' AND reason LIKE 'Löschantrag von pseud:% per E-Mail'"));

        // Bernd in tenant A and Anna in tenant B are untouched.
        Assert.Equal(1L, await CountAsync($"SELECT count(*) FROM calls WHERE tenant_id = '{a}' AND from_number = '{Bernd}'"));
        Assert.Equal(1L, await CountAsync($"SELECT count(*) FROM flow_sessions WHERE tenant_id = '{a}' AND state::text LIKE '%Bernd Beta%'"));
        Assert.Equal(2L, await CountAsync($"SELECT (SELECT count(*) FROM sandbox_events WHERE tenant_id = '{a}') + (SELECT count(*) FROM calendar_bookings WHERE tenant_id = '{a}')"));
        Assert.Equal(1L, await CountAsync($"SELECT count(*) FROM calls WHERE tenant_id = '{b}' AND from_number = '{Anna}'"));
        Assert.Equal(1L, await CountAsync($"SELECT count(*) FROM flow_sessions WHERE tenant_id = '{b}'"));
        Assert.Equal(2L, await CountAsync($"SELECT (SELECT count(*) FROM sandbox_events WHERE tenant_id = '{b}') + (SELECT count(*) FROM calendar_bookings WHERE tenant_id = '{b}')"));
        Assert.Equal(1L, await CountAsync($"SELECT count(*) FROM audit_entries WHERE tenant_id = '{b}' AND details LIKE '%{Anna}%'"));

        // Erasing again finds nothing: 404.
        Assert.Equal(HttpStatusCode.NotFound,
            (await adminA.PostAsJsonAsync("/api/tenant/privacy/callers/erase", new { number = Anna, reason = "nochmal" })).StatusCode);
    }

    [Fact]
    public async Task Retention_job_deletes_only_transcripts_older_than_each_tenants_setting()
    {
        var (a, adminA) = await App.ApprovedTenantAsync("a@praxis.test", "Praxis A");
        var (b, _) = await App.ApprovedTenantAsync("b@praxis.test", "Praxis B");
        Assert.Equal(90, (await Json(await adminA.GetAsync("/api/tenant/privacy"))).GetProperty("transcriptRetentionDays").GetInt32());
        var tooShort = await FieldErrors(await adminA.PutAsJsonAsync("/api/tenant/privacy/retention", new { days = 5 }));
        Assert.Contains("7", tooShort["days"][0]);
        Assert.Equal(HttpStatusCode.OK, (await adminA.PutAsJsonAsync("/api/tenant/privacy/retention", new { days = 30 })).StatusCode);
        Assert.Equal(1L, await CountAsync($"SELECT count(*) FROM audit_entries WHERE tenant_id = '{a}' AND action = 'privacy.retention_changed' AND details = '90 → 30 days'"));

        var (aOld, _) = await SeedCallWithSessionAsync(a, Anna, Now.AddDays(-40), "A alt");
        await SeedCallAsync(a, Anna, Now.AddDays(-10), "A neu");
        await SeedCallAsync(b, Anna, Now.AddDays(-40), "B mittel");
        await SeedCallAsync(b, Anna, Now.AddDays(-100), "B alt");

        await using var scope = App.Services.CreateAsyncScope();
        var deleted = await Jobs(scope, new FakeTimeProvider(Now)).ApplyRetentionAsync(CancellationToken.None);

        Assert.Equal(2, deleted);
        Assert.Equal(0L, await CountAsync("SELECT count(*) FROM flow_sessions WHERE state::text LIKE '%alt%'"));
        Assert.Equal(2L, await CountAsync("SELECT count(*) FROM flow_sessions WHERE state::text LIKE '%A neu%' OR state::text LIKE '%B mittel%'"));
        Assert.Equal(1L, await CountAsync($"SELECT count(*) FROM calls WHERE id = '{aOld}' AND session_id IS NULL")); // the call stays
        Assert.Equal(1L, await CountAsync($"SELECT count(*) FROM audit_entries WHERE tenant_id = '{a}' AND action = 'privacy.retention_applied' " +
            "AND actor_email = 'system' AND details LIKE '1 transcripts older than 30 days%'"));
        Assert.Equal(1L, await CountAsync($"SELECT count(*) FROM audit_entries WHERE tenant_id = '{b}' AND action = 'privacy.retention_applied' " +
            "AND details LIKE '1 transcripts older than 90 days%'"));

        // A second run on the same day has nothing to do and audits nothing.
        Assert.Equal(0, await Jobs(scope, new FakeTimeProvider(Now)).ApplyRetentionAsync(CancellationToken.None));
        Assert.Equal(2L, await CountAsync("SELECT count(*) FROM audit_entries WHERE action = 'privacy.retention_applied'"));
    }

    [Fact]
    public async Task Tenant_zip_holds_the_tenants_data_without_password_hashes()
    {
        var (a, _) = await App.ApprovedTenantAsync("a@praxis.test", "Praxis A");
        var (b, _) = await App.ApprovedTenantAsync("b@praxis.test", "Praxis B");
        await App.SeedSampleFlowAsync(a);
        await SeedCallAsync(a, Anna, Now.AddDays(-1), "Anna Alpha");
        await SeedCallAsync(b, Bernd, Now.AddDays(-1), "Bernd Beta");
        await SeedBookingsAsync(a, Anna, "Termin Anna", Now.AddDays(3));
        await InvoiceAsync(a);
        var admin = await App.LoginAsAdminAsync();

        var response = await admin.PostAsJsonAsync($"/api/admin/tenants/{a}/export", new { reason = "Kündigung, Datenübergabe" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        using var zip = new ZipArchive(await response.Content.ReadAsStreamAsync());
        Assert.Equal(["bookings.json", "calls.csv", "flows.json", "invoices.csv", "numbers.csv", "tenant.json", "transcripts.json", "users.csv"],
            zip.Entries.Select(e => e.FullName).Order().ToArray());
        string Read(string name)
        {
            using var reader = new StreamReader(zip.GetEntry(name)!.Open(), Encoding.UTF8);
            return reader.ReadToEnd();
        }

        Assert.Contains("Praxis A", Read("tenant.json"));
        Assert.Contains("Terminannahme", Read("flows.json"));
        Assert.Contains(Anna, Read("calls.csv"));
        Assert.DoesNotContain(Bernd, Read("calls.csv"));
        Assert.Contains("Anna Alpha", Read("transcripts.json"));
        Assert.DoesNotContain("Bernd", Read("transcripts.json"));
        Assert.Contains("Termin Anna", Read("bookings.json"));
        var users = Read("users.csv");
        Assert.Contains("a@praxis.test", users);
        Assert.DoesNotContain("b@praxis.test", users);
        Assert.DoesNotContain("AQAAAA", users); // an Identity password hash
        Assert.DoesNotContain("password", users, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("2026-11", Read("invoices.csv"));
        Assert.Equal(1L, await CountAsync($"SELECT count(*) FROM audit_entries WHERE tenant_id = '{a}' AND action = 'privacy.tenant_exported' AND reason = 'Kündigung, Datenübergabe'"));

        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsJsonAsync($"/api/admin/tenants/{Guid.NewGuid()}/export", new { reason = "x" })).StatusCode);
        Assert.True((await FieldErrors(await admin.PostAsJsonAsync($"/api/admin/tenants/{a}/export", new { reason = " " }))).ContainsKey("reason"));
        var (_, tenantAdmin) = await App.ApprovedTenantAsync("c@praxis.test", "Praxis C");
        Assert.Equal(HttpStatusCode.Forbidden, (await tenantAdmin.PostAsJsonAsync($"/api/admin/tenants/{a}/export", new { reason = "x" })).StatusCode);
    }

    [Fact]
    public async Task Contract_end_deletes_the_tenants_data_after_the_grace_period_and_keeps_invoices()
    {
        var (a, _) = await App.ApprovedTenantAsync("a@praxis.test", "Praxis A");
        var (b, _) = await App.ApprovedTenantAsync("b@praxis.test", "Praxis B");
        await App.SeedSampleFlowAsync(a);
        await SeedCallAsync(a, Anna, Now.AddDays(-5), "Anna Alpha");
        var billed = await SeedCallAsync(a, Bernd, Now.AddDays(-5), "Bernd Beta", billed: true);
        await SeedBookingsAsync(a, Anna, "Termin Anna", Now.AddDays(3));
        await SeedCallAsync(b, Anna, Now.AddDays(-5), "Gamma");
        await InvoiceAsync(a);
        var admin = await App.LoginAsAdminAsync();

        Assert.True((await FieldErrors(await admin.PostAsJsonAsync($"/api/admin/tenants/{a}/contract-end", new { reason = "" }))).ContainsKey("reason"));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsJsonAsync($"/api/admin/tenants/{Guid.NewGuid()}/contract-end", new { reason = "x" })).StatusCode);
        // The contract end is recorded now (in real time); the job runs on a fake clock relative to it.
        var ended = await Json(await admin.PostAsJsonAsync($"/api/admin/tenants/{a}/contract-end", new { reason = "Vertrag gekündigt zum 30.11." }));
        Assert.Equal("suspended", ended.GetProperty("status").GetString());
        var endedAt = ended.GetProperty("contractEndedAt").GetDateTimeOffset();
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsJsonAsync($"/api/admin/tenants/{a}/contract-end", new { reason = "x" })).StatusCode);

        await using var scope = App.Services.CreateAsyncScope();
        Assert.Equal(0, await Jobs(scope, new FakeTimeProvider(endedAt.AddDays(29))).DeleteEndedContractsAsync(CancellationToken.None));
        Assert.Equal(1L, await CountAsync($"SELECT count(*) FROM users WHERE tenant_id = '{a}'"));

        Assert.Equal(1, await Jobs(scope, new FakeTimeProvider(endedAt.AddDays(30).AddMinutes(1))).DeleteEndedContractsAsync(CancellationToken.None));
        foreach (var table in new[] { "flows", "flow_versions", "flow_sessions", "sandbox_events", "calendar_bookings", "calendar_settings", "users" })
        {
            Assert.Equal(0L, await CountAsync($"SELECT count(*) FROM {table} WHERE tenant_id = '{a}'"));
        }

        Assert.Equal(1L, await CountAsync($"SELECT count(*) FROM invoices WHERE tenant_id = '{a}'"));
        Assert.Equal(1L, await CountAsync($"SELECT count(*) FROM tenants WHERE id = '{a}' AND data_deleted_at IS NOT NULL"));
        Assert.Equal(1L, await CountAsync($"SELECT count(*) FROM calls WHERE tenant_id = '{a}'"));
        Assert.Equal(1L, await CountAsync($"SELECT count(*) FROM calls WHERE id = '{billed}' AND from_number IS NULL"));
        Assert.Equal(1L, await CountAsync($"SELECT count(*) FROM usage_records WHERE tenant_id = '{a}'"));
        Assert.Equal(0L, await CountAsync($"SELECT count(*) FROM audit_entries WHERE tenant_id = '{a}' AND (actor_email = 'a@praxis.test' OR details LIKE '%a@praxis.test%')"));
        Assert.True(await CountAsync($"SELECT count(*) FROM audit_entries WHERE tenant_id = '{a}' AND actor_email LIKE 'pseud:%'") > 0);
        Assert.Equal(1L, await CountAsync($"SELECT count(*) FROM audit_entries WHERE tenant_id = '{a}' AND action = 'privacy.tenant_data_deleted' AND actor_email = 'system'"));

        // Tenant B untouched; a second run does nothing; the deletion can no longer be revoked.
        Assert.Equal(1L, await CountAsync($"SELECT count(*) FROM users WHERE tenant_id = '{b}'"));
        Assert.Equal(1L, await CountAsync($"SELECT count(*) FROM flow_sessions WHERE tenant_id = '{b}'"));
        Assert.Equal(0, await Jobs(scope, new FakeTimeProvider(endedAt.AddDays(60))).DeleteEndedContractsAsync(CancellationToken.None));
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsJsonAsync($"/api/admin/tenants/{a}/contract-end/revoke", new { reason = "x" })).StatusCode);
    }

    [Fact]
    public async Task A_revoked_contract_end_deletes_nothing()
    {
        var (a, _) = await App.ApprovedTenantAsync("a@praxis.test", "Praxis A");
        var admin = await App.LoginAsAdminAsync();
        (await admin.PostAsJsonAsync($"/api/admin/tenants/{a}/contract-end", new { reason = "gekündigt" })).EnsureSuccessStatusCode();
        var revoked = await admin.PostAsJsonAsync($"/api/admin/tenants/{a}/contract-end/revoke", new { reason = "Kündigung zurückgezogen" });
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);

        await using var scope = App.Services.CreateAsyncScope();
        Assert.Equal(0, await Jobs(scope, new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(400))).DeleteEndedContractsAsync(CancellationToken.None));
        Assert.Equal(1L, await CountAsync($"SELECT count(*) FROM users WHERE tenant_id = '{a}'"));
        Assert.Equal(1L, await CountAsync($"SELECT count(*) FROM audit_entries WHERE tenant_id = '{a}' AND action = 'tenant.contract_end_revoked'"));
    }

    [Fact]
    public async Task Every_tenant_table_is_either_deleted_or_deliberately_kept_at_contract_end()
    {
        await using var connection = new NpgsqlConnection(Database.OwnerConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            SELECT DISTINCT c.table_name FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
             WHERE c.table_schema = 'public' AND c.column_name = 'tenant_id' AND t.table_type = 'BASE TABLE'
            """, connection);
        await using var reader = await cmd.ExecuteReaderAsync();
        var tables = new List<string>();
        while (await reader.ReadAsync())
        {
            tables.Add(reader.GetString(0));
        }

        var known = TenantPrivacy.DeletedTables.Concat(TenantPrivacy.KeptTables).ToHashSet();
        var unknown = tables.Where(t => !known.Contains(t)).ToList();
        Assert.True(unknown.Count == 0, "Tenant tables the contract-end deletion does not know: " + string.Join(", ", unknown));
    }

    /// <summary>Practice A: Anna twice (once billed) and Bernd, with bookings; practice B: Anna once, with bookings.</summary>
    private async Task<(Guid A, HttpClient AdminA, Guid B, HttpClient AdminB, Guid Billed)> SeedTwoPracticesAsync()
    {
        var (a, adminA) = await App.ApprovedTenantAsync("a@praxis.test", "Praxis A");
        var (b, adminB) = await App.ApprovedTenantAsync("b@praxis.test", "Praxis B");
        await SeedCallAsync(a, Anna, Now.AddDays(-2), "Ich heiße Anna Alpha");
        var billed = await SeedCallAsync(a, Anna, Now.AddDays(-1), "Anna bezahlt", billed: true);
        await SeedCallAsync(a, Bernd, Now.AddDays(-1), "Bernd Beta hier");
        await SeedCallAsync(b, Anna, Now.AddDays(-1), "Fremde Praxis Gamma");
        await SeedBookingsAsync(a, Anna, "Termin Anna", Now.AddDays(3));
        await SeedBookingsAsync(a, Bernd, "Termin Bernd", Now.AddDays(4));
        await SeedBookingsAsync(b, Anna, "Termin Gamma", Now.AddDays(3));
        return (a, adminA, b, adminB, billed);
    }

    private PrivacyJobs Jobs(AsyncServiceScope scope, TimeProvider time)
    {
        var sp = scope.ServiceProvider;
        var db = sp.GetRequiredService<VoiceAgentDb>();
        var tenants = new TenantPrivacy(db, sp.GetRequiredService<Pseudonyms>(), sp.GetRequiredService<IOptions<PrivacyOptions>>(), time);
        return new PrivacyJobs(db, tenants, time, NullLogger<PrivacyJobs>.Instance);
    }

    private async Task<Guid> SeedCallAsync(Guid tenantId, string from, DateTimeOffset at, string said, bool billed = false) =>
        (await SeedCallWithSessionAsync(tenantId, from, at, said, billed)).CallId;

    /// <summary>A finished call of <paramref name="from"/> with its flow session (the caller said <paramref name="said"/>).</summary>
    private async Task<(Guid CallId, Guid SessionId)> SeedCallWithSessionAsync(Guid tenantId, string from, DateTimeOffset at, string said, bool billed = false)
    {
        await using var connection = new NpgsqlConnection(Database.OwnerConnectionString);
        await connection.OpenAsync();
        var flowId = Guid.NewGuid();
        var versionId = Guid.NewGuid();
        var sessionId = Guid.NewGuid();
        var callId = Guid.NewGuid();
        var instance = new FlowInstance { Status = FlowStatus.Completed };
        instance.Transcript.Add(new TranscriptEntry(new TranscriptRole("Caller"), said, null, at));
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO flows (id, tenant_id, name, created_at, updated_at) VALUES (@f, @t, 'Ablauf ' || @f::text, @at, @at);
            INSERT INTO flow_versions (id, tenant_id, flow_id, version, status, definition, created_at, updated_at)
            VALUES (@v, @t, @f, 1, 'retired', '{}'::jsonb, @at, @at);
            INSERT INTO flow_sessions (id, tenant_id, flow_id, version_id, kind, status, caller_number, state, created_at, updated_at)
            VALUES (@s, @t, @f, @v, 'call', 'completed', @from, @state, @at, @at);
            INSERT INTO calls (id, tenant_id, provider, provider_call_id, flow_id, session_id, from_number, to_number, mode, status, started_at, ended_at, duration_seconds)
            VALUES (@c, @t, 'twilio', 'CA' || replace(@c::text, '-', ''), @f, @s, @from, '+4930123456', 'gather', 'completed', @at, @at + interval '60 seconds', 60);
            """, connection);
        cmd.Parameters.AddWithValue("f", flowId);
        cmd.Parameters.AddWithValue("v", versionId);
        cmd.Parameters.AddWithValue("s", sessionId);
        cmd.Parameters.AddWithValue("c", callId);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("from", from);
        cmd.Parameters.AddWithValue("at", at.UtcDateTime);
        cmd.Parameters.AddWithValue("state", NpgsqlDbType.Jsonb, instance.ToJson());
        await cmd.ExecuteNonQueryAsync();
        if (billed)
        {
            await using var usage = new NpgsqlCommand("""
                INSERT INTO usage_records (tenant_id, call_id, provider, kind, provider_ref, number, started_at, ended_at, seconds)
                VALUES (@t, @c, 'twilio', 'bot', 'CA' || replace(@c::text, '-', ''), '+4930123456', @at, @at + interval '60 seconds', 60)
                """, connection);
            usage.Parameters.AddWithValue("t", tenantId);
            usage.Parameters.AddWithValue("c", callId);
            usage.Parameters.AddWithValue("at", at.UtcDateTime);
            await usage.ExecuteNonQueryAsync();
        }

        return (callId, sessionId);
    }

    /// <summary>One sandbox appointment and one external-calendar booking the agent made for <paramref name="caller"/>.</summary>
    private async Task SeedBookingsAsync(Guid tenantId, string caller, string title, DateTimeOffset start)
    {
        await using var connection = new NpgsqlConnection(Database.OwnerConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO sandbox_events (id, tenant_id, start_at, end_at, title, caller_number, status, idempotency_key, created_at)
            VALUES (gen_random_uuid(), @t, @start, @start + interval '30 minutes', @title, @caller, 'confirmed', gen_random_uuid()::text, now());
            INSERT INTO calendar_bookings (id, tenant_id, provider, calendar_id, idempotency_key, external_id, start_at, end_at, time_zone, title,
                                           caller_number, status, created_at, updated_at)
            VALUES (gen_random_uuid(), @t, 'google', 'primary', gen_random_uuid()::text, gen_random_uuid()::text, @start + interval '1 day',
                    @start + interval '1 day 30 minutes', 'Europe/Berlin', @title || ' extern', @caller, 'created', now(), now());
            """, connection);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("start", start.UtcDateTime);
        cmd.Parameters.AddWithValue("title", title);
        cmd.Parameters.AddWithValue("caller", caller);
        await cmd.ExecuteNonQueryAsync();
    }

    private Task AuditAsync(Guid tenantId, string details) =>
        new BillingSeed(Database).ExecuteAsync(
            "INSERT INTO audit_entries (tenant_id, actor_email, action, details, at) VALUES (@t, 'a@praxis.test', 'note', @d, now())",
            ("t", tenantId), ("d", details));

    private Task InvoiceAsync(Guid tenantId) =>
        new BillingSeed(Database).ExecuteAsync("""
            INSERT INTO invoices (id, tenant_id, kind, status, period, service_from, service_until, issuer, recipient, net_cents, tax_rate_percent,
                                  tax_cents, gross_cents, tax_rule, created_at, updated_at)
            VALUES (gen_random_uuid(), @t, 'monthly', 'draft', '2026-11-01', '2026-11-01', '2026-11-30', '{}'::jsonb, '{}'::jsonb, 4900, 19, 931, 5831,
                    'domestic', now(), now())
            """, ("t", tenantId));
}
