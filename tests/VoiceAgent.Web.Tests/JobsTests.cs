using System.Net;
using System.Net.Http.Json;
using Hangfire;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Portal;
using VoiceAgent.Billing;
using VoiceAgent.Billing.Lexoffice;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Tenancy;
using VoiceAgent.Testing;
using VoiceAgent.Testing.Fakes;

namespace VoiceAgent.Web.Tests;

/// <summary>Jobs on Hangfire with two app instances on one database (real Hangfire servers on each).</summary>
public sealed class JobsTests : IntegrationTest
{
    private const string ApiKey = "lexoffice-test-key-0123456789";
    private static readonly Actor Admin = new(null, VoiceAgentFactory.AdminEmail);

    // The test's own two instances run the jobs; the default host only enqueues.
    protected override Dictionary<string, string?> AppSettings => new() { ["Jobs:RunServer"] = "false" };

    private BillingSeed Seed => new(Database);

    private static Dictionary<string, string?> LexofficeSettings(FakeLexofficeServer fake, string spacing = "00:00:00.500") => new()
    {
        ["Lexoffice:BaseUrl"] = fake.BaseUrl,
        ["Lexoffice:RetryDelay"] = "00:00:00.100",
        ["Lexoffice:RequestSpacing"] = spacing,
    };

    private async Task<Guid> FinalizedInvoiceAsync(VoiceAgentFactory app)
    {
        var plan = await Seed.PlanAsync("Standard", 4900, 100, 30, 12m, 9m);
        var tenant = await Seed.TenantAsync("Praxis Jobs");
        await Seed.AssignAsync(tenant, plan, new DateOnly(2025, 6, 1));
        var result = await app.Services.GetRequiredService<BillingRun>().RunAsync(new BillingPeriod(2026, 1), RunTriggers.Manual, Admin, finalize: true);
        return result.FinalizedInvoiceIds.Single();
    }

    private static async Task StoreKeyAsync(VoiceAgentFactory app)
    {
        var admin = await app.LoginAsAdminAsync();
        (await admin.PutAsJsonAsync("/api/admin/settings/lexoffice.api_key", new { value = ApiKey })).EnsureSuccessStatusCode();
    }

    private static async Task<(string? State, int Retries)> JobAsync(VoiceAgentFactory app, string jobId)
    {
        using var connection = app.Services.GetRequiredService<JobStorage>().GetConnection();
        var retries = connection.GetJobParameter(jobId, "RetryCount");
        return (connection.GetJobData(jobId)?.State, retries is null ? 0 : int.Parse(retries.Trim('"'), System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Waits until Hangfire scheduled retry number <paramref name="retry"/>, then runs it now (as "Requeue" in the dashboard).</summary>
    /// <summary>
    /// Waits until Hangfire has scheduled at least retry <paramref name="retry"/> and runs it now. Hangfire runs a job at
    /// least once, not exactly once (a busy machine can make it run an attempt twice), so this returns the retry it found.
    /// </summary>
    private static async Task<int> RetryNowAsync(VoiceAgentFactory app, string jobId, int retry)
    {
        var found = 0;
        await JobsProbe.UntilAsync(async () => await JobAsync(app, jobId) is ("Scheduled", var r) && (found = r) >= retry,
            TimeSpan.FromSeconds(60), what: $"retry {retry} scheduled");
        Assert.True(app.Services.GetRequiredService<IBackgroundJobClient>().Requeue(jobId));
        return found;
    }

    private static async Task RetryUntilFailedAsync(VoiceAgentFactory app, string jobId, int retries)
    {
        for (var retry = 1; retry <= retries; retry++)
        {
            retry = await RetryNowAsync(app, jobId, retry);
        }

        await JobsProbe.UntilAsync(async () => (await JobAsync(app, jobId)).State == "Failed", TimeSpan.FromSeconds(60), what: "job failed for good");
    }

    [Fact]
    public async Task A_lexoffice_job_that_fails_twice_and_then_succeeds_yields_exactly_one_lexoffice_invoice()
    {
        await using var fake = await FakeLexofficeServer.StartAsync(ApiKey);
        await using var a = new VoiceAgentFactory(Database) { Settings = LexofficeSettings(fake) };
        await using var b = new VoiceAgentFactory(Database) { Settings = LexofficeSettings(fake) };
        _ = b.Services; // both instances' servers compete for the job and its retries
        await StoreKeyAsync(a);
        var invoice = await FinalizedInvoiceAsync(a);
        // The create request fails with 503 twice: the outcome is unknown, so each retry first looks the invoice up.
        fake.Fail("POST", "/v1/invoices", 503, count: 2);

        var jobId = a.Services.GetRequiredService<IBackgroundJobClient>().Enqueue<LexofficeJob>(j => j.SendAsync(invoice, null, CancellationToken.None));
        // Hangfire's automatic retries, each scheduled with its back-off (1 min, 5 min); the test runs them at once.
        if (await RetryNowAsync(a, jobId, 1) < 2)
        {
            await RetryNowAsync(a, jobId, 2);
        }

        await JobsProbe.UntilAsync(async () => (await JobAsync(a, jobId)).State == "Succeeded", what: "job succeeded");

        Assert.Single(fake.Invoices);
        Assert.Equal(2, fake.Requests.Count(r => r.Method == "POST" && r.Path.StartsWith("/v1/invoices", StringComparison.Ordinal) && r.Status == 503));
        Assert.Equal("sent", await Seed.ScalarAsync<string>("SELECT state FROM lexoffice_transmissions"));
        Assert.True(await Seed.ScalarAsync<int>("SELECT attempts FROM lexoffice_transmissions") >= 3);
        Assert.Equal(1L, await CountAsync("SELECT count(*) FROM invoice_documents WHERE source = 'lexoffice'"));
    }

    [Fact]
    public async Task A_lexoffice_job_that_keeps_failing_ends_given_up_with_its_reason_on_the_invoice()
    {
        await using var fake = await FakeLexofficeServer.StartAsync(ApiKey);
        await using var a = new VoiceAgentFactory(Database) { Settings = LexofficeSettings(fake, spacing: "00:00:00") };
        await StoreKeyAsync(a);
        var invoice = await FinalizedInvoiceAsync(a);
        fake.Fail("POST", "/v1/invoices", 406, count: LexofficeJob.Retries + 1,
            body: """{"message":"x","details":[{"violation":"NOTNULL","field":"address.countryCode"}]}""");

        var jobId = a.Services.GetRequiredService<IBackgroundJobClient>().Enqueue<LexofficeJob>(j => j.SendAsync(invoice, null, CancellationToken.None));
        await RetryUntilFailedAsync(a, jobId, LexofficeJob.Retries);

        Assert.Empty(fake.Invoices);
        Assert.Equal("gave_up", await Seed.ScalarAsync<string>("SELECT state FROM lexoffice_transmissions"));
        // Every attempt Hangfire made is counted (at least the first run and all retries).
        Assert.True(await Seed.ScalarAsync<int>("SELECT attempts FROM lexoffice_transmissions") >= LexofficeJob.Retries + 1);
        Assert.True(await Seed.ScalarAsync<bool>("SELECT gave_up_at IS NOT NULL FROM lexoffice_transmissions"));
        Assert.StartsWith("Lexoffice: 406", await Seed.ScalarAsync<string>("SELECT last_error FROM lexoffice_transmissions"));
        // The billing pages show the state by its label (interactive pages: their rendering is in the browser tests).
        Assert.Equal("endgültig fehlgeschlagen", VoiceAgent.Billing.BillingTexts.Get("Lexoffice.gave_up"));
    }

    [Fact]
    public async Task No_mail_is_sent_for_a_change_that_was_rolled_back()
    {
        await using var a = new VoiceAgentFactory(Database);
        await using var b = new VoiceAgentFactory(Database);
        var first = await a.RegisterAsync(TestData.Registration("zurueck@firma.de", "Zurück GmbH"));
        var second = await a.RegisterAsync(TestData.Registration("ja@firma.de", "Ja GmbH"));
        _ = b.Services;

        // The approval is stored in a transaction that then rolls back (as a request ending in an error does).
        await using (var scope = a.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
            db.Scope.UsePlatform();
            await using var tx = await db.Database.BeginTransactionAsync();
            var outcome = await scope.ServiceProvider.GetRequiredService<TenantService>().ApproveAsync(first, Admin);
            Assert.Equal(OutcomeKind.Ok, outcome.Kind);
            await tx.RollbackAsync();
        }

        Assert.Equal(0L, await CountAsync("SELECT count(*) FROM mail_outbox"));
        Assert.Equal(0L, await CountAsync("SELECT count(*) FROM hangfire.job WHERE invocationdata::text LIKE '%MailJobs%' AND invocationdata::text LIKE '%SendAsync%'"));
        Assert.Equal("pending", await Seed.ScalarAsync<string>("SELECT status FROM tenants WHERE id = @t", ("t", first)));

        // The same change committed: its mail is sent after the commit, by whichever instance's job runs first.
        await using (var scope = b.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
            db.Scope.UsePlatform();
            await using var tx = await db.Database.BeginTransactionAsync();
            Assert.Equal(OutcomeKind.Ok, (await scope.ServiceProvider.GetRequiredService<TenantService>().ApproveAsync(second, Admin)).Kind);
            Assert.Equal(0L, await CountAsync("SELECT count(*) FROM mail_outbox")); // not visible before the commit
            await tx.CommitAsync();
        }

        await JobsProbe.UntilAsync(async () => await CountAsync("SELECT count(*) FROM mail_outbox WHERE state = 'sent'") == 1, what: "mail sent");
        var mails = a.Mails(); // the database's mail folder, whichever instance sent it
        var mail = Assert.Single(mails);
        Assert.Contains("To: ja@firma.de", mail);
        Assert.DoesNotContain(mails, m => m.Contains("zurueck@firma.de", StringComparison.Ordinal));
        Assert.Equal(1L, await CountAsync("SELECT count(*) FROM mail_outbox"));
    }

    [Fact]
    public async Task A_mail_that_cannot_be_delivered_is_retried_and_then_marked_failed_with_the_reason()
    {
        // The mail folder is gone: every attempt fails, whichever instance makes it.
        await using var a = new VoiceAgentFactory(Database);
        Directory.Delete(a.MailDirectory, recursive: true);
        var tenant = await a.RegisterAsync(TestData.Registration("kein@versand.de", "Kein Versand GmbH"));
        await using (var scope = a.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
            db.Scope.UsePlatform();
            await using var tx = await db.Database.BeginTransactionAsync();
            await scope.ServiceProvider.GetRequiredService<TenantService>().ApproveAsync(tenant, Admin);
            await tx.CommitAsync();
        }

        const string mailJobs = "FROM hangfire.job WHERE invocationdata::text LIKE '%MailJobs%' AND invocationdata::text LIKE '%SendAsync%'";
        await JobsProbe.UntilAsync(async () => await CountAsync("SELECT count(*) " + mailJobs) == 1, what: "mail job enqueued");
        var jobId = (await Seed.ScalarAsync<long>("SELECT id " + mailJobs)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await RetryUntilFailedAsync(a, jobId, Platform.Email.MailJobs.Retries);

        Assert.Equal(1L, await CountAsync(
            $"SELECT count(*) FROM mail_outbox WHERE state = 'failed' AND attempts >= {Platform.Email.MailJobs.Retries + 1} AND failed_at IS NOT NULL AND last_error LIKE 'The mail drop folder is missing%'"));
    }
}

/// <summary>The dashboard and the health endpoint on the default host (which runs a Hangfire server).</summary>
public sealed class JobsDashboardTests : IntegrationTest
{
    [Fact]
    public async Task The_super_admin_sees_the_jobs_dashboard_linked_from_the_navigation()
    {
        var page = PortalPage.Create(App);
        Assert.Equal(HttpStatusCode.Redirect, (await page.LoginAsync(VoiceAgentFactory.AdminEmail, VoiceAgentFactory.AdminPassword)).StatusCode);

        var dashboard = await page.Client.GetAsync("/admin/jobs");
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Contains("VoiceAgent – Jobs", await dashboard.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await page.Client.GetAsync("/admin/jobs/recurring")).StatusCode);
        // The drawer (interactive) lists what the modules contribute; the browser sweep renders it.
        var entry = Assert.Single(App.Services.GetServices<PortalModule>()
            .For(PortalArea.Admin), n => n.Href == "/admin/jobs");
        Assert.Equal("Hintergrundjobs", VoiceAgent.Platform.Resources.Texts.Get(entry.TextKey));
    }

    [Fact]
    public async Task A_tenant_admin_gets_403_from_the_jobs_dashboard()
    {
        await App.ApprovedTenantAsync("chef@salon.de");
        var page = PortalPage.Create(App);
        Assert.Equal(HttpStatusCode.Redirect, (await page.LoginAsync("chef@salon.de", TestData.Password)).StatusCode);

        var response = await page.Client.GetAsync("/admin/jobs");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await page.Client.GetAsync("/admin/jobs/recurring")).StatusCode);
    }

    [Fact]
    public async Task An_anonymous_visitor_is_sent_to_the_login_page()
    {
        var client = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var response = await client.GetAsync("/admin/jobs");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/login", response.Headers.Location?.PathAndQuery ?? response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task The_migrations_removed_quartz_and_installed_hangfire_where_the_app_role_has_dml_only()
    {
        Assert.Equal(0L, await CountAsync("SELECT count(*) FROM pg_tables WHERE tablename LIKE 'qrtz\\_%'"));
        Assert.Equal(1L, await CountAsync("SELECT count(*) FROM schema_migrations WHERE id = '0009_hangfire_jobs_and_mail_outbox'"));
        Assert.True(await CountAsync("SELECT count(*) FROM pg_tables WHERE schemaname = 'hangfire'") >= 10);

        await using var connection = new Npgsql.NpgsqlConnection(Database.AppConnectionString);
        await connection.OpenAsync();
        await using (var read = new Npgsql.NpgsqlCommand("SELECT count(*) FROM hangfire.job", connection))
        {
            await read.ExecuteScalarAsync();
        }

        await using var create = new Npgsql.NpgsqlCommand("CREATE TABLE hangfire.not_allowed (id int)", connection);
        var error = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => create.ExecuteNonQueryAsync());
        Assert.Equal(Npgsql.PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
    }

    [Fact]
    public async Task Health_reports_the_scheduler_from_hangfires_server_heartbeats()
    {
        await JobsProbe.UntilAsync(async () => await CountAsync("SELECT count(*) FROM hangfire.server") >= 1, what: "server announced");
        var body = await Json(await App.CreateClient().GetAsync("/api/health"));
        Assert.Equal("operational", body.GetProperty("scheduler").GetString());

        // Once the only server stopped (it signs off), no instance has a heartbeat within the last minute: down.
        await App.DisposeAsync();
        await using var withoutServer = new VoiceAgentFactory(Database) { Settings = new() { ["Jobs:RunServer"] = "false" } };
        Assert.Equal(0L, await CountAsync("SELECT count(*) FROM hangfire.server"));
        body = await Json(await withoutServer.CreateClient().GetAsync("/api/health"));
        Assert.Equal("down", body.GetProperty("scheduler").GetString());
    }
}
