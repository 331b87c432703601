using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using VoiceAgent.Testing;
using VoiceAgent.Web.Admin;

namespace VoiceAgent.Web.Tests;

/// <summary>The audit log's filters and its CSV export for German Excel.</summary>
public sealed class AdminAuditExportTests : IntegrationTest
{
    private async Task<(Guid A, Guid B)> SeedAsync()
    {
        var seed = new BillingSeed(Database);
        var a = await seed.TenantAsync("Salon A GmbH");
        var b = await seed.TenantAsync("=HYPERLINK(\"http://evil\") B");
        const string insert = """
            INSERT INTO audit_entries (tenant_id, actor_email, action, details, reason, at)
            VALUES (@t, @who, @action, @details, @reason, @at)
            """;
        // 1 March 2026 00:30 Berlin = 28 Feb 23:30 UTC: a March entry in business time.
        await seed.ExecuteAsync(insert, ("t", a), ("who", "admin@voiceagent.de"), ("action", "tenant.approved"), ("details", "pending → approved"),
            ("reason", DBNull.Value), ("at", new DateTimeOffset(2026, 2, 28, 23, 30, 0, TimeSpan.Zero)));
        await seed.ExecuteAsync(insert, ("t", b), ("who", "admin@voiceagent.de"), ("action", "tenant.rejected"), ("details", "-1+1"),
            ("reason", "@SUM(1;2) \"zitiert\"; mit Semikolon"), ("at", new DateTimeOffset(2026, 3, 10, 9, 0, 0, TimeSpan.Zero)));
        await seed.ExecuteAsync(insert, ("t", a), ("who", "chef@salon-a.de"), ("action", "user.added"), ("details", "+kollege@salon-a.de"),
            ("reason", DBNull.Value), ("at", new DateTimeOffset(2026, 4, 1, 8, 0, 0, TimeSpan.Zero)));
        return (a, b);
    }

    [Fact]
    public async Task Filters_by_tenant_actor_action_and_berlin_days()
    {
        var (a, b) = await SeedAsync();
        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();

        async Task<string[]> Actions(AuditFilter filter) =>
            (await db.InScopeAsync(s => s.UsePlatform(), () => AuditQueries.PageAsync(db, filter, 0, 50, default)))
            .Rows.Where(r => r.TenantId == a || r.TenantId == b).Select(r => r.Action).ToArray();

        Assert.Equal(["user.added", "tenant.approved"], await Actions(AuditFilter.FromQuery(a.ToString(), null, null, null, null)));
        Assert.Equal(["user.added"], await Actions(AuditFilter.FromQuery(null, "SALON-A", null, null, null)));
        Assert.Equal(["tenant.rejected"], await Actions(AuditFilter.FromQuery(null, null, "tenant.rejected", null, null)));
        Assert.Equal(["tenant.rejected", "tenant.approved"], await Actions(AuditFilter.FromQuery(null, null, null, "2026-03-01", "2026-03-31")));
        Assert.Equal(["tenant.approved"], await Actions(AuditFilter.FromQuery(null, null, null, null, "2026-03-01")));
        Assert.Equal(3, (await Actions(AuditFilter.FromQuery(null, null, "all", "kein-datum", null))).Length);

        var page = await db.InScopeAsync(s => s.UsePlatform(), () => AuditQueries.PageAsync(db, AuditFilter.FromQuery(b.ToString(), null, null, null, null), 0, 50, default));
        Assert.Equal(1, page.Total);
        Assert.Equal("=HYPERLINK(\"http://evil\") B", page.Rows[0].TenantName);
    }

    [Fact]
    public async Task Csv_export_is_utf8_with_bom_semicolons_filtered_and_injection_safe()
    {
        var (a, b) = await SeedAsync();
        var admin = await App.LoginAsAdminAsync();

        var response = await admin.GetAsync($"/admin/audit/export.csv?from=2026-03-01&to=2026-03-31");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("attachment", response.Content.Headers.ContentDisposition?.ToString());
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        var lines = Encoding.UTF8.GetString(bytes[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("\"Zeitpunkt\";\"Akteur\";\"Aktion\";\"Mandant\";\"Details\";\"Grund\"", lines[0]);
        Assert.Equal(3, lines.Length);
        // Newest first; times in Berlin; the formula-like cells start with an apostrophe, quotes doubled, ';' inside quotes.
        Assert.Equal("\"2026-03-10 10:00:00\";\"admin@voiceagent.de\";\"Abgelehnt\";\"'=HYPERLINK(\"\"http://evil\"\") B\";\"'-1+1\";"
            + "\"'@SUM(1;2) \"\"zitiert\"\"; mit Semikolon\"", lines[1]);
        Assert.StartsWith("\"2026-03-01 00:30:00\";\"admin@voiceagent.de\";", lines[2]);
        Assert.Contains("\"Salon A GmbH\"", lines[2]);

        var onlyA = await admin.GetStringAsync($"/admin/audit/export.csv?tenant={a}&action=user.added");
        Assert.Contains("\"'+kollege@salon-a.de\"", onlyA);
        Assert.Equal(2, onlyA.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task Csv_export_is_for_the_super_admin_only()
    {
        await SeedAsync();
        var (_, tenantAdmin) = await App.ApprovedTenantAsync("chef@salon.de");

        var forbidden = await tenantAdmin.GetAsync("/admin/audit/export.csv");
        var anonymous = await App.CreateClient(new() { AllowAutoRedirect = false }).GetAsync("/admin/audit/export.csv");

        Assert.True(forbidden.StatusCode is HttpStatusCode.Forbidden || forbidden.RequestMessage?.RequestUri?.AbsolutePath == "/forbidden",
            $"tenant admin got {forbidden.StatusCode} at {forbidden.RequestMessage?.RequestUri}");
        Assert.DoesNotContain("admin@voiceagent.de", await forbidden.Content.ReadAsStringAsync());
        Assert.True(anonymous.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Unauthorized, $"anonymous got {anonymous.StatusCode}");
    }
}
