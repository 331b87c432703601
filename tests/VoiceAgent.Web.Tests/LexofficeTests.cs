using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Billing;
using VoiceAgent.Billing.Lexoffice;
using VoiceAgent.Testing;
using VoiceAgent.Testing.Fakes;

namespace VoiceAgent.Web.Tests;

/// <summary>Sending finalized invoices to the Lexoffice fake: exactly one invoice per invoice, whatever goes wrong.</summary>
public sealed class LexofficeTests : IntegrationTest
{
    private const string ApiKey = "lexoffice-test-key-0123456789";
    private static readonly Actor Admin = new(null, "admin@test.local");

    private BillingSeed Seed => new(Database);

    private static Dictionary<string, string?> SettingsFor(FakeLexofficeServer fake, string timeout = "00:00:10") => new()
    {
        ["Lexoffice:BaseUrl"] = fake.BaseUrl,
        ["Lexoffice:RetryDelay"] = "00:00:00.100",
        ["Lexoffice:Timeout"] = timeout,
    };

    private async Task<List<Guid>> FinalizedInvoicesAsync(VoiceAgentFactory app, int tenants = 1)
    {
        var plan = await Seed.PlanAsync("Standard", 4900, 100, 30, 12m, 9m);
        for (var i = 0; i < tenants; i++)
        {
            var tenant = await Seed.TenantAsync($"Praxis {i}");
            await Seed.AssignAsync(tenant, plan, new DateOnly(2025, 6, 1));
            await Seed.UsageAsync(tenant, "bot", new DateTimeOffset(2026, 1, 10, 9, 0, 0, TimeSpan.Zero), 7261);
        }

        var result = await app.Services.GetRequiredService<BillingRun>().RunAsync(new BillingPeriod(2026, 1), RunTriggers.Manual, Admin, finalize: true);
        return result.FinalizedInvoiceIds.ToList();
    }

    private static async Task StoreKeyAsync(VoiceAgentFactory app)
    {
        var admin = await app.LoginAsAdminAsync();
        (await admin.PutAsJsonAsync("/api/admin/settings/lexoffice.api_key", new { value = ApiKey })).EnsureSuccessStatusCode();
    }

    private static LexofficeSender Sender(VoiceAgentFactory app) => app.Services.CreateScope().ServiceProvider.GetRequiredService<LexofficeSender>();

    [Fact]
    public async Task Sends_the_invoice_with_its_contact_and_custom_lines_and_stores_lexoffices_pdf()
    {
        await using var fake = await FakeLexofficeServer.StartAsync(ApiKey);
        await using var app = new VoiceAgentFactory(Database) { Settings = SettingsFor(fake) };
        await StoreKeyAsync(app);
        var invoice = (await FinalizedInvoicesAsync(app)).Single();

        var outcome = await Sender(app).SendAsync(invoice, Admin);

        Assert.Equal(SendOutcome.Sent, outcome);
        var sent = Assert.Single(fake.Invoices);
        Assert.Equal("open", (string?)sent["voucherStatus"]);
        Assert.Equal("net", (string?)sent["taxConditions"]!["taxType"]);
        Assert.All(sent["lineItems"]!.AsArray(), l => Assert.Equal("custom", (string?)l!["type"]));
        // Lexoffice's own total equals ours to the cent: 4900 base + 22 min × 12 ct (7261 s → 122 min) = 5164 ct net.
        Assert.Equal(51.64m, (decimal)sent["totalPrice"]!["totalNetAmount"]!);
        var contact = Assert.Single(fake.Contacts);
        Assert.Equal("Praxis 0", (string?)contact["company"]!["name"]);
        Assert.Equal("sent", await Seed.ScalarAsync<string>("SELECT state FROM lexoffice_transmissions"));
        Assert.Equal("RE0001", await Seed.ScalarAsync<string>("SELECT voucher_number FROM lexoffice_transmissions"));
        Assert.Equal(1L, await CountAsync("SELECT count(*) FROM invoice_documents WHERE source = 'lexoffice'"));
        Assert.Equal(SendOutcome.AlreadySent, await Sender(app).SendAsync(invoice, Admin));
        Assert.Single(fake.Invoices);
    }

    [Fact]
    public async Task Throttled_429_then_success_creates_exactly_one_invoice()
    {
        await using var fake = await FakeLexofficeServer.StartAsync(ApiKey);
        await using var app = new VoiceAgentFactory(Database) { Settings = SettingsFor(fake) };
        await StoreKeyAsync(app);
        var invoice = (await FinalizedInvoicesAsync(app)).Single();
        fake.Fail("POST", "/v1/invoices", 429, count: 2);

        var outcome = await Sender(app).SendAsync(invoice, Admin);

        Assert.Equal(SendOutcome.Sent, outcome);
        Assert.Single(fake.Invoices);
        Assert.Equal(3, fake.Requests.Count(r => r.Method == "POST" && r.Path.StartsWith("/v1/invoices", StringComparison.Ordinal)));
        Assert.Equal(1, await Seed.ScalarAsync<int>("SELECT attempts FROM lexoffice_transmissions"));
    }

    [Fact]
    public async Task A_retry_after_header_is_honoured_before_the_next_attempt()
    {
        await using var fake = await FakeLexofficeServer.StartAsync(ApiKey);
        await using var app = new VoiceAgentFactory(Database) { Settings = SettingsFor(fake) };
        await StoreKeyAsync(app);
        var invoice = (await FinalizedInvoicesAsync(app)).Single();
        fake.Fail("POST", "/v1/invoices", 429, retryAfterSeconds: 2);
        fake.Fail("POST", "/v1/invoices", 503);

        Assert.Equal(SendOutcome.Failed, await Sender(app).SendAsync(invoice, Admin));
        Assert.Equal(SendOutcome.Sent, await Sender(app).SendAsync(invoice, Admin));

        var posts = fake.Requests.Where(r => r.Method == "POST" && r.Path.StartsWith("/v1/invoices", StringComparison.Ordinal)).ToList();
        Assert.Equal([429, 503, 200], posts.Select(p => p.Status));
        // How long the client waits is checked on a fake clock: LexofficeResilienceTests.
        Assert.Single(fake.Invoices);
    }

    [Fact]
    public async Task Crash_after_sending_is_recovered_without_a_second_invoice()
    {
        await using var fake = await FakeLexofficeServer.StartAsync(ApiKey);
        List<Guid> invoices;
        Guid lost;
        await using (var crashing = new VoiceAgentFactory(Database) { Settings = SettingsFor(fake) })
        {
            await StoreKeyAsync(crashing);
            invoices = await FinalizedInvoicesAsync(crashing);
            fake.LoseNextCreateAnswer();
            using var process = new CancellationTokenSource();
            var sending = Sender(crashing).SendAsync(invoices[0], Admin, process.Token);

            // Lexoffice has stored the invoice; the instance dies before the answer arrives (nothing after the request runs).
            lost = await fake.AnswerLost.Task.WaitAsync(TimeSpan.FromSeconds(20));
            await process.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);
        }

        Assert.Equal("pending", await Seed.ScalarAsync<string>("SELECT state FROM lexoffice_transmissions"));
        Assert.Equal(0L, await CountAsync("SELECT count(*) FROM lexoffice_transmissions WHERE lexoffice_invoice_id IS NOT NULL"));

        await using var restarted = new VoiceAgentFactory(Database) { Settings = SettingsFor(fake) };
        var outcome = await Sender(restarted).SendAsync(invoices[0], Admin);

        Assert.Equal(SendOutcome.Sent, outcome);
        Assert.Single(fake.Invoices);
        Assert.Equal(lost, await Seed.ScalarAsync<Guid>("SELECT lexoffice_invoice_id FROM lexoffice_transmissions"));
        Assert.Equal(1, fake.Requests.Count(r => r.Method == "POST" && r.Path.StartsWith("/v1/invoices", StringComparison.Ordinal)));
        Assert.Contains(fake.Requests, r => r.Path.StartsWith("/v1/voucherlist", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Timeout_after_sending_finds_the_invoice_instead_of_creating_another()
    {
        await using var fake = await FakeLexofficeServer.StartAsync(ApiKey);
        await using var app = new VoiceAgentFactory(Database) { Settings = SettingsFor(fake, timeout: "00:00:02") };
        await StoreKeyAsync(app);
        var invoice = (await FinalizedInvoicesAsync(app)).Single();
        fake.LoseNextCreateAnswer();

        var outcome = await Sender(app).SendAsync(invoice, Admin);

        Assert.Equal(SendOutcome.Sent, outcome);
        Assert.Single(fake.Invoices);
    }

    [Fact]
    public async Task Server_error_on_create_leaves_a_pending_marker_and_the_next_attempt_creates_one_invoice()
    {
        await using var fake = await FakeLexofficeServer.StartAsync(ApiKey);
        await using var app = new VoiceAgentFactory(Database) { Settings = SettingsFor(fake) };
        await StoreKeyAsync(app);
        var invoice = (await FinalizedInvoicesAsync(app)).Single();
        fake.Fail("POST", "/v1/invoices", 500, body: """{"message":"Internal server error or rate limit exceeded"}""");

        Assert.Equal(SendOutcome.Failed, await Sender(app).SendAsync(invoice, Admin));
        Assert.Equal("pending", await Seed.ScalarAsync<string>("SELECT state FROM lexoffice_transmissions"));
        Assert.Empty(fake.Invoices);

        Assert.Equal(SendOutcome.Sent, await Sender(app).SendAsync(invoice, Admin));
        Assert.Single(fake.Invoices);
    }

    [Fact]
    public async Task Contact_is_updated_with_the_current_version_when_someone_changed_it()
    {
        await using var fake = await FakeLexofficeServer.StartAsync(ApiKey);
        await using var app = new VoiceAgentFactory(Database) { Settings = SettingsFor(fake) };
        await StoreKeyAsync(app);
        var invoices = await FinalizedInvoicesAsync(app);
        await Sender(app).SendAsync(invoices[0], Admin);
        var contactId = Guid.Parse((string)fake.Contacts.Single()["id"]!);
        fake.TouchContact(contactId);

        // The next period's invoice of the same tenant.
        await Seed.UsageAsync(await Seed.ScalarAsync<Guid>("SELECT tenant_id FROM invoices"), "bot", new DateTimeOffset(2026, 2, 3, 9, 0, 0, TimeSpan.Zero), 60);
        var february = await app.Services.GetRequiredService<BillingRun>().RunAsync(new BillingPeriod(2026, 2), RunTriggers.Manual, Admin, finalize: true);
        Assert.Equal(SendOutcome.Sent, await Sender(app).SendAsync(february.FinalizedInvoiceIds.Single(), Admin));

        Assert.Single(fake.Contacts);
        Assert.Equal(3, (int)fake.Contacts.Single()["version"]!);
        Assert.Equal(3, await Seed.ScalarAsync<int>("SELECT version FROM lexoffice_contacts"));
        Assert.DoesNotContain(fake.Requests, r => r.Status == 409);
    }

    [Fact]
    public async Task A_refused_invoice_shows_the_reason_on_the_invoice_in_the_admin_pages()
    {
        await using var fake = await FakeLexofficeServer.StartAsync(ApiKey);
        await using var app = new VoiceAgentFactory(Database) { Settings = SettingsFor(fake) };
        await StoreKeyAsync(app);
        var invoice = (await FinalizedInvoicesAsync(app)).Single();
        fake.Fail("POST", "/v1/invoices", 406, body: """{"status":406,"error":"Not Acceptable","message":"Validation failed","details":[{"violation":"NOTNULL","field":"lineItems[0].unitPrice.taxRatePercentage","message":"darf nicht leer sein"}]}""");

        Assert.Equal(SendOutcome.Failed, await Sender(app).SendAsync(invoice, Admin));

        Assert.Equal("failed", await Seed.ScalarAsync<string>("SELECT state FROM lexoffice_transmissions"));
        // The grid and the invoice page show the transmission's stored error (their rendering: the browser tests).
        var error = await Seed.ScalarAsync<string>("SELECT last_error FROM lexoffice_transmissions WHERE invoice_id = @i", ("i", invoice));
        Assert.StartsWith("Lexoffice: 406", error);
        Assert.Contains("NOTNULL lineItems[0].unitPrice.taxRatePercentage", error);
        // A definite refusal means nothing was created: the next attempt sends normally.
        Assert.Equal(SendOutcome.Sent, await Sender(app).SendAsync(invoice, Admin));
        Assert.Single(fake.Invoices);
    }

    [Fact]
    public async Task Without_a_key_invoices_stay_local()
    {
        await using var fake = await FakeLexofficeServer.StartAsync(ApiKey);
        await using var app = new VoiceAgentFactory(Database) { Settings = SettingsFor(fake) };
        var invoice = (await FinalizedInvoicesAsync(app)).Single();

        Assert.Equal(SendOutcome.NotConfigured, await Sender(app).SendAsync(invoice, Admin));

        Assert.Empty(fake.Requests);
        Assert.Equal(0L, await CountAsync("SELECT count(*) FROM lexoffice_transmissions"));
        // Without a key the page offers no "An Lexoffice" button: it asks the sender.
        await using var scope = app.Services.CreateAsyncScope();
        Assert.False(await scope.ServiceProvider.GetRequiredService<LexofficeSender>().IsConfiguredAsync());
    }

    [Fact]
    public async Task Two_instances_together_stay_within_two_requests_per_second()
    {
        await using var fake = await FakeLexofficeServer.StartAsync(ApiKey);
        await using var a = new VoiceAgentFactory(Database) { Settings = SettingsFor(fake) };
        await using var b = new VoiceAgentFactory(Database) { Settings = SettingsFor(fake) };
        // Both instances are running before they send: a host starting up in the middle of the sends would starve the
        // fake's threads, and its arrival times (what its token bucket judges) would bunch up.
        _ = b.Services;
        await StoreKeyAsync(a);
        var invoices = await FinalizedInvoicesAsync(a, tenants: 4);

        var outcomes = await Task.WhenAll(
            Task.Run(() => Sender(a).SendAsync(invoices[0], Admin)),
            Task.Run(() => Sender(b).SendAsync(invoices[1], Admin)),
            Task.Run(() => Sender(a).SendAsync(invoices[2], Admin)),
            Task.Run(() => Sender(b).SendAsync(invoices[3], Admin)));

        Assert.All(outcomes, o => Assert.Equal(SendOutcome.Sent, o));
        Assert.Equal(4, fake.Invoices.Count);
        Assert.True(fake.Throttled == 0, string.Join(" | ", fake.Requests.OrderBy(r => r.At).Select(r => $"{r.At:HH:mm:ss.fff} {r.Method} {r.Path} {r.Status}")));
        // The fake's token bucket (2 per second, as Lexoffice) is the judge: it throttled none of the requests of both
        // instances. The slots come from one row in PostgreSQL, 500 ms apart; no elapsed time is asserted here.
        Assert.True(fake.Requests.Count >= 16, $"{fake.Requests.Count} requests");
    }
}
