using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NodaTime;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Billing;
using VoiceAgent.Testing;

namespace VoiceAgent.Web.Tests;

/// <summary>The monthly run against PostgreSQL: idempotent per (tenant, period), once across instances, gapless numbers, GoBD guards.</summary>
public sealed class BillingRunTests : IntegrationTest
{
    private static readonly BillingPeriod January = new(2026, 1);
    private static readonly Actor Admin = new(null, "admin@test.local");

    private BillingSeed Seed => new(Database);

    // Three tenants on one plan (49 € base, 100 bot / 30 forward minutes included, 12 ct / 9 ct, per started minute):
    // Alpha 130 bot min (30 over), Beta a mid-month start, Gamma in Austria with a VAT ID (reverse charge).
    private async Task<(Guid Alpha, Guid Beta, Guid Gamma)> ThreeTenantsAsync()
    {
        var plan = await Seed.PlanAsync("Standard", 4900, 100, 30, 12m, 9m);
        var alpha = await Seed.TenantAsync("Alpha Praxis");
        var beta = await Seed.TenantAsync("Beta Salon");
        var gamma = await Seed.TenantAsync("Gamma Wien", "AT", "ATU12345678");
        await Seed.AssignAsync(alpha, plan, new DateOnly(2025, 6, 1));
        await Seed.AssignAsync(beta, plan, new DateOnly(2026, 1, 15));
        await Seed.AssignAsync(gamma, plan, new DateOnly(2025, 6, 1));
        await Seed.UsageAsync(alpha, "bot", new DateTimeOffset(2026, 1, 10, 9, 0, 0, TimeSpan.FromHours(1)), 130 * 60);
        await Seed.UsageAsync(alpha, "forward", new DateTimeOffset(2026, 1, 11, 9, 0, 0, TimeSpan.FromHours(1)), 31 * 60 + 1);
        await Seed.UsageAsync(beta, "bot", new DateTimeOffset(2026, 1, 20, 9, 0, 0, TimeSpan.FromHours(1)), 61);
        await Seed.UsageAsync(gamma, "bot", new DateTimeOffset(2026, 1, 31, 23, 59, 0, TimeSpan.FromHours(1)), 100 * 60);
        // February usage must not count for January.
        await Seed.UsageAsync(alpha, "bot", new DateTimeOffset(2026, 2, 1, 0, 0, 30, TimeSpan.FromHours(1)), 5000);
        return (alpha, beta, gamma);
    }

    private async Task<string> InvoicesSnapshotAsync() =>
        await Seed.ScalarAsync<string>("""
            SELECT coalesce(string_agg(to_jsonb(i)::text || (SELECT coalesce(string_agg(to_jsonb(l)::text, ',' ORDER BY l.position), '') FROM invoice_lines l WHERE l.invoice_id = i.id),
                                       '|' ORDER BY i.tenant_id), '')
              FROM invoices i
            """);

    [Fact]
    public async Task Monthly_run_bills_each_tenant_once_with_the_calculator_figures()
    {
        var (alpha, beta, gamma) = await ThreeTenantsAsync();
        var run = App.Services.GetRequiredService<BillingRun>();

        var result = await run.RunAsync(January, RunTriggers.Manual, Admin, finalize: true);

        Assert.Equal((3, 0, 0, 3), (result.Created, result.Updated, result.Unchanged, result.Finalized));
        Assert.Empty(result.Problems);
        // Alpha: 4900 + 30 min × 12 ct + 2 min × 9 ct (1861 s → 32 min) = 5278; 19 % = 1002.82 → 1003.
        Assert.Equal(5278L, await Seed.ScalarAsync<long>("SELECT net_cents FROM invoices WHERE tenant_id = @t", ("t", alpha)));
        Assert.Equal(6281L, await Seed.ScalarAsync<long>("SELECT gross_cents FROM invoices WHERE tenant_id = @t", ("t", alpha)));
        // Beta: 17 of 31 days of 4900 = 2687.1 → 2687 ct; 61 s → 2 min, included.
        Assert.Equal(2687L, await Seed.ScalarAsync<long>("SELECT net_cents FROM invoices WHERE tenant_id = @t", ("t", beta)));
        Assert.Equal(new DateOnly(2026, 1, 15), await Seed.ScalarAsync<DateOnly>("SELECT service_from FROM invoices WHERE tenant_id = @t", ("t", beta)));
        // Gamma: reverse charge, 0 % and the note.
        Assert.Equal("reverse_charge", await Seed.ScalarAsync<string>("SELECT tax_rule FROM invoices WHERE tenant_id = @t", ("t", gamma)));
        Assert.Equal(0L, await Seed.ScalarAsync<long>("SELECT tax_cents FROM invoices WHERE tenant_id = @t", ("t", gamma)));
        Assert.Equal(3L, await CountAsync("SELECT count(*) FROM invoices WHERE status = 'finalized' AND number IS NOT NULL"));
        Assert.Equal(1L, await CountAsync("SELECT count(*) FROM billing_runs WHERE invoices_created = 3"));
    }

    [Fact]
    public async Task Each_finalized_invoice_is_mailed_to_its_tenant_after_commit_and_a_rerun_mails_nothing()
    {
        var (alpha, _, _) = await ThreeTenantsAsync();
        var run = App.Services.GetRequiredService<BillingRun>();

        await run.RunAsync(January, RunTriggers.Manual, Admin, finalize: true);
        await run.RunAsync(January, RunTriggers.Manual, Admin, finalize: true);

        Assert.Equal(3L, await CountAsync("SELECT count(*) FROM mail_outbox WHERE subject LIKE 'Ihre Rechnung VA-2026-0000_ von %'"));
        var alphaMail = await Seed.ScalarAsync<string>(
            "SELECT m.recipient || '|' || m.body FROM mail_outbox m JOIN tenants t ON t.email = m.recipient WHERE t.id = @t", ("t", alpha));
        var number = await Seed.ScalarAsync<string>("SELECT number FROM invoices WHERE tenant_id = @t", ("t", alpha));
        Assert.Contains($"für Januar 2026 die Rechnung {number} über 62,81 € ausgestellt. Fällig am ", alphaMail);
        // Delivered by the outbox job (pickup folder), German, with the amount.
        var delivered = (await App.WaitForMailsAsync(3))
            .Select(eml => MimeKit.MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(eml))))
            .ToList();
        var notice = Assert.Single(delivered, m => m.Subject?.StartsWith($"Ihre Rechnung {number} von ", StringComparison.Ordinal) == true);
        Assert.Contains("über 62,81 € ausgestellt", notice.TextBody);
    }

    [Fact]
    public async Task Rerun_of_a_finalized_period_changes_nothing()
    {
        await ThreeTenantsAsync();
        var run = App.Services.GetRequiredService<BillingRun>();
        await run.RunAsync(January, RunTriggers.Manual, Admin, finalize: true);
        var before = await InvoicesSnapshotAsync();

        var again = await run.RunAsync(January, RunTriggers.Manual, Admin, finalize: true);

        Assert.Equal((0, 0, 3, 0), (again.Created, again.Updated, again.Unchanged, again.Finalized));
        Assert.Equal(before, await InvoicesSnapshotAsync());
        Assert.Equal(3, await Seed.ScalarAsync<int>("SELECT last_number FROM invoice_number_counters"));
    }

    [Fact]
    public async Task Rerun_of_drafts_with_the_same_inputs_leaves_them_untouched_and_late_usage_updates_them()
    {
        var (alpha, _, _) = await ThreeTenantsAsync();
        var run = App.Services.GetRequiredService<BillingRun>();
        await run.RunAsync(January, RunTriggers.Manual, Admin, finalize: false);
        var before = await InvoicesSnapshotAsync();

        var same = await run.RunAsync(January, RunTriggers.Manual, Admin, finalize: false);
        Assert.Equal((0, 0, 3), (same.Created, same.Updated, same.Unchanged));
        Assert.Equal(before, await InvoicesSnapshotAsync());

        // A late usage record (out-of-order callback) changes Alpha's draft, and only that one.
        await Seed.UsageAsync(alpha, "bot", new DateTimeOffset(2026, 1, 30, 12, 0, 0, TimeSpan.FromHours(1)), 600);
        var later = await run.RunAsync(January, RunTriggers.Manual, Admin, finalize: false);
        Assert.Equal((0, 1, 2), (later.Created, later.Updated, later.Unchanged));
        Assert.Equal(5278L + 120, await Seed.ScalarAsync<long>("SELECT net_cents FROM invoices WHERE tenant_id = @t", ("t", alpha)));
    }

    [Fact]
    public async Task Two_instances_running_the_same_period_at_once_store_each_invoice_once()
    {
        await ThreeTenantsAsync();
        await using var second = new VoiceAgentFactory(Database);
        var first = App.Services.GetRequiredService<BillingRun>();
        var other = second.Services.GetRequiredService<BillingRun>();

        var results = await Task.WhenAll(
            first.RunAsync(January, RunTriggers.Manual, Admin, finalize: true),
            other.RunAsync(January, RunTriggers.Manual, Admin, finalize: true));

        Assert.Equal(3, results.Sum(r => r.Created));
        Assert.Equal(3L, await CountAsync("SELECT count(*) FROM invoices"));
        Assert.Equal(3L, await CountAsync("SELECT count(DISTINCT number) FROM invoices WHERE number IS NOT NULL"));
    }

    [Fact]
    public async Task Monthly_job_fires_once_across_instances()
    {
        // Plans since 2025: every tenant has an invoice for the month before today, the period the job bills.
        await ThreeTenantsAsync();
        await using var a = new VoiceAgentFactory(Database);
        await using var b = new VoiceAgentFactory(Database);
        // Building a host starts it: its Hangfire server and the registration of the recurring jobs (three instances).
        var monitors = new[] { a, b, App }.Select(f => f.Services.GetRequiredService<BillingJobMonitor>()).ToList();
        await JobsProbe.UntilAsync(async () => await CountAsync("SELECT count(*) FROM hangfire.server") == 3);
        var done = new TaskCompletionSource<BillingRunResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        monitors.ForEach(m => m.RunCompleted += r => done.TrySetResult(r));
        // One recurring job row however many instances stored it: 02:00 on the 1st, Berlin.
        Assert.Equal("0 2 1 * *", await JobsProbe.RecurringFieldAsync(Database, MonthlyBillingJob.RecurringJobId, "Cron"));
        Assert.Equal("Europe/Berlin", await JobsProbe.RecurringFieldAsync(Database, MonthlyBillingJob.RecurringJobId, "TimeZoneId"));

        // As if the 1st, 02:00 had just passed: every server's recurring scheduler sees the occurrence as due.
        await JobsProbe.MakeRecurringJobDueAsync(Database, MonthlyBillingJob.RecurringJobId);
        var result = await done.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(BillingPeriod.Containing(DateTimeOffset.UtcNow).Previous, result.Period);
        Assert.Equal(3, result.Created);
        const string monthlyJobs = """
            FROM hangfire.job j JOIN hangfire.jobparameter p ON p.jobid = j.id AND p.name = 'RecurringJobId' AND p.value = '"monthly-billing"'
            """;
        await JobsProbe.UntilAsync(async () => await CountAsync("SELECT count(*) " + monthlyJobs + " WHERE j.statename = 'Succeeded'") == 1);
        // Hangfire made one job of the occurrence and moved the next one to a future 1st: nothing is left to fire twice.
        Assert.Equal(1L, await CountAsync("SELECT count(*) " + monthlyJobs));
        Assert.True(await JobsProbe.NextExecutionAsync(Database, MonthlyBillingJob.RecurringJobId) > DateTime.UtcNow);
        Assert.Equal(3L, await CountAsync("SELECT count(*) FROM invoices"));
        Assert.Equal(1L, await CountAsync("SELECT count(*) FROM billing_runs WHERE trigger = 'schedule'"));
        // The job finalized the invoices and archived their PDFs (Lexoffice is not configured: they stay local).
        Assert.Equal(3L, await CountAsync("SELECT count(*) FROM invoice_documents WHERE source = 'local' AND substring(content from 1 for 5) = '%PDF-'"));
        Assert.Equal(0L, await CountAsync("SELECT count(*) FROM lexoffice_transmissions"));
        Assert.Single(monitors.SelectMany(m => m.Completed));
    }

    [Fact]
    public async Task Hundred_parallel_finalizations_get_numbers_one_to_hundred_without_gaps()
    {
        var tenant = await Seed.TenantAsync("Nummernkreis GmbH");
        var ids = new List<Guid>();
        for (var i = 0; i < 100; i++)
        {
            var id = Guid.NewGuid();
            ids.Add(id);
            var period = new DateOnly(2010, 1, 1).AddMonths(i);
            await Seed.ExecuteAsync("""
                INSERT INTO invoices (id, tenant_id, kind, status, period, service_from, service_until, issuer, recipient, net_cents, tax_rate_percent,
                                      tax_cents, gross_cents, tax_rule, created_at, updated_at)
                VALUES (@id, @t, 'monthly', 'draft', @p, @p, @p, '{}', '{}', 100, 19, 19, 119, 'domestic', now(), now())
                """, ("id", id), ("t", tenant), ("p", period));
        }

        var finalizer = App.Services.GetRequiredService<InvoiceFinalizer>();
        var done = await Task.WhenAll(ids.Select(id => Task.Run(() => finalizer.FinalizeAsync(id, Admin))));

        Assert.All(done, Assert.True);
        var numbers = new List<int>();
        await using (var connection = new NpgsqlConnection(Database.OwnerConnectionString))
        {
            await connection.OpenAsync();
            await using var cmd = new NpgsqlCommand("SELECT number_seq FROM invoices ORDER BY number_seq", connection);
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                numbers.Add(reader.GetInt32(0));
            }
        }

        Assert.Equal(Enumerable.Range(1, 100), numbers);
        Assert.Equal(100L, await CountAsync("SELECT count(DISTINCT number) FROM invoices"));
        // Finalizing again changes nothing and uses no number.
        Assert.False(await finalizer.FinalizeAsync(ids[0], Admin));
        Assert.Equal(100, await Seed.ScalarAsync<int>("SELECT last_number FROM invoice_number_counters"));
        // One notice per finalized invoice, none for the refused second finalization.
        Assert.Equal(100L, await CountAsync("SELECT count(DISTINCT subject) FROM mail_outbox WHERE subject LIKE 'Ihre Rechnung %'"));
        Assert.Equal(100L, await CountAsync("SELECT count(*) FROM mail_outbox"));
    }

    [Theory]
    [InlineData("UPDATE invoices SET net_cents = net_cents + 1, gross_cents = gross_cents + 1")]
    [InlineData("UPDATE invoices SET recipient = '{\"name\":\"Jemand anderes\"}'")]
    [InlineData("UPDATE invoices SET status = 'draft', number = NULL, number_seq = NULL, invoice_date = NULL")]
    [InlineData("DELETE FROM invoices")]
    [InlineData("UPDATE invoice_lines SET amount_cents = 0")]
    [InlineData("DELETE FROM invoice_lines")]
    [InlineData("INSERT INTO invoice_lines (invoice_id, position, tenant_id, kind, description, quantity, unit, unit_price_cents, amount_cents) SELECT id, 99, tenant_id, 'base_fee', 'x', 1, 'Monat', 1, 1 FROM invoices")]
    public async Task The_database_refuses_changes_to_finalized_invoices(string sql)
    {
        await ThreeTenantsAsync();
        await App.Services.GetRequiredService<BillingRun>().RunAsync(January, RunTriggers.Manual, Admin, finalize: true);

        // Even the schema owner (no row-level security) is refused: the trigger is the guard, not the app.
        await using var connection = new NpgsqlConnection(Database.OwnerConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        var error = await Assert.ThrowsAsync<PostgresException>(() => cmd.ExecuteNonQueryAsync());

        Assert.Equal(PostgresErrorCodes.RestrictViolation, error.SqlState);
        Assert.Contains("GoBD", error.MessageText);
    }

    [Fact]
    public async Task The_app_role_cannot_update_a_finalized_invoice_either()
    {
        await ThreeTenantsAsync();
        await App.Services.GetRequiredService<BillingRun>().RunAsync(January, RunTriggers.Manual, Admin, finalize: true);

        await using var connection = new NpgsqlConnection(Database.AppConnectionString);
        await connection.OpenAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await using (var scope = new NpgsqlCommand("SELECT set_config('app.platform', 'on', true)", connection, tx))
        {
            await scope.ExecuteNonQueryAsync();
        }

        await using var update = new NpgsqlCommand("UPDATE invoices SET tax_cents = 0, gross_cents = net_cents", connection, tx);
        var error = await Assert.ThrowsAsync<PostgresException>(() => update.ExecuteNonQueryAsync());
        Assert.Equal(PostgresErrorCodes.RestrictViolation, error.SqlState);
    }

    [Fact]
    public async Task Storno_issues_a_numbered_cancellation_frees_the_packages_and_allows_a_corrected_invoice()
    {
        var (alpha, _, _) = await ThreeTenantsAsync();
        var package = await Seed.GrantedPackageAsync(alpha, 20, new DateOnly(2026, 6, 30), new DateTimeOffset(2025, 12, 1, 0, 0, 0, TimeSpan.Zero));
        var run = App.Services.GetRequiredService<BillingRun>();
        await run.RunAsync(January, RunTriggers.Manual, Admin, finalize: true);
        Assert.Equal(0L, await Seed.ScalarAsync<long>("SELECT seconds_remaining FROM package_balances WHERE purchase_id = @p", ("p", package)));
        var original = await Seed.ScalarAsync<Guid>("SELECT id FROM invoices WHERE tenant_id = @t", ("t", alpha));
        var net = await Seed.ScalarAsync<long>("SELECT net_cents FROM invoices WHERE id = @i", ("i", original));

        var cancellation = await App.Services.GetRequiredService<CancelInvoice>().HandleAsync(original, "Falsche Anschrift", Admin);

        Assert.Equal("cancelled", await Seed.ScalarAsync<string>("SELECT status FROM invoices WHERE id = @i", ("i", original)));
        Assert.Equal(-net, await Seed.ScalarAsync<long>("SELECT net_cents FROM invoices WHERE id = @i AND kind = 'cancellation' AND status = 'finalized'", ("i", cancellation)));
        Assert.Equal(4, await Seed.ScalarAsync<int>("SELECT number_seq FROM invoices WHERE id = @i", ("i", cancellation)));
        Assert.Equal(20L * 60, await Seed.ScalarAsync<long>("SELECT seconds_remaining FROM package_balances WHERE purchase_id = @p", ("p", package)));
        var cancellationNumber = await Seed.ScalarAsync<string>("SELECT number FROM invoices WHERE id = @i", ("i", cancellation));
        var originalNumber = await Seed.ScalarAsync<string>("SELECT number FROM invoices WHERE id = @i", ("i", original));
        Assert.Contains($"zur Rechnung {originalNumber} die Stornorechnung {cancellationNumber}",
            await Seed.ScalarAsync<string>("SELECT body FROM mail_outbox WHERE subject LIKE 'Stornorechnung %'"));
        await Assert.ThrowsAsync<BillingException>(() => App.Services.GetRequiredService<CancelInvoice>().HandleAsync(original, "zweimal", Admin));

        var corrected = await run.RunAsync(January, RunTriggers.Manual, Admin, finalize: true);

        Assert.Equal(1, corrected.Created);
        Assert.Equal(net, await Seed.ScalarAsync<long>("SELECT net_cents FROM invoices WHERE tenant_id = @t AND kind = 'monthly' AND status = 'finalized'", ("t", alpha)));
        Assert.Equal(0L, await Seed.ScalarAsync<long>("SELECT seconds_remaining FROM package_balances WHERE purchase_id = @p", ("p", package)));
    }

    [Fact]
    public async Task Package_minutes_are_deducted_once_per_period_and_carry_over()
    {
        var plan = await Seed.PlanAsync("Klein", 0, 10, 0, 10m, 10m, "second");
        var tenant = await Seed.TenantAsync("Paket AG");
        await Seed.AssignAsync(tenant, plan, new DateOnly(2025, 1, 1));
        var package = await Seed.GrantedPackageAsync(tenant, 100, new DateOnly(2026, 12, 31), new DateTimeOffset(2025, 12, 1, 0, 0, 0, TimeSpan.Zero));
        await Seed.UsageAsync(tenant, "bot", new DateTimeOffset(2026, 1, 5, 10, 0, 0, TimeSpan.Zero), 70 * 60 + 30); // 60.5 min over
        await Seed.UsageAsync(tenant, "bot", new DateTimeOffset(2026, 2, 5, 10, 0, 0, TimeSpan.Zero), 60 * 60);      // 50 min over
        var run = App.Services.GetRequiredService<BillingRun>();

        await run.RunAsync(January, RunTriggers.Manual, Admin, finalize: false);
        await run.RunAsync(January, RunTriggers.Manual, Admin, finalize: false);
        await run.RunAsync(January, RunTriggers.Manual, Admin, finalize: true);
        Assert.Equal(100L * 60 - 3630, await Seed.ScalarAsync<long>("SELECT seconds_remaining FROM package_balances WHERE purchase_id = @p", ("p", package)));
        Assert.Equal(0L, await Seed.ScalarAsync<long>("SELECT net_cents FROM invoices WHERE period = '2026-01-01'"));

        await run.RunAsync(January.PlusMonths(1), RunTriggers.Manual, Admin, finalize: true);
        await run.RunAsync(January.PlusMonths(1), RunTriggers.Manual, Admin, finalize: true);

        // February: 3000 s over, 2370 s left in the package, 630 s = 10.5 min × 10 ct = 105 ct.
        Assert.Equal(0L, await Seed.ScalarAsync<long>("SELECT seconds_remaining FROM package_balances WHERE purchase_id = @p", ("p", package)));
        Assert.Equal(105L, await Seed.ScalarAsync<long>("SELECT net_cents FROM invoices WHERE period = '2026-02-01'"));
    }

    [Fact]
    public async Task Price_versions_are_immutable_and_a_change_applies_from_a_later_month()
    {
        var plan = await Seed.PlanAsync("Standard", 4900, 100, 30, 12m, 9m);

        var error = await Assert.ThrowsAsync<PostgresException>(() =>
            Seed.ExecuteAsync("UPDATE billing_plan_versions SET base_fee_cents = 1 WHERE plan_id = @p", ("p", plan)));
        Assert.Equal(PostgresErrorCodes.RestrictViolation, error.SqlState);

        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Platform.Data.VoiceAgentDb>();
        db.Scope.UsePlatform();
        await using var tx = await db.Database.BeginTransactionAsync();
        var catalog = scope.ServiceProvider.GetRequiredService<PlanCatalog>();
        var prices = new PlanPrices(5900, 100, 30, 12m, 9m, Increments.Minute);
        await Assert.ThrowsAsync<BillingException>(() => catalog.ChangePricesAsync(plan, prices, catalog.CurrentPeriod(), Admin));
        var next = catalog.CurrentPeriod().Next;
        var version = await catalog.ChangePricesAsync(plan, prices, next, Admin);
        await tx.CommitAsync();

        Assert.Equal(2, version.Version);
        Assert.Equal(next.FirstDay.ToDateOnly().AddDays(-1), await Seed.ScalarAsync<DateOnly>("SELECT valid_until FROM billing_plan_versions WHERE plan_id = @p AND version = 1", ("p", plan)));
    }

    // docs/billing-example.json stored as database rows (packages as purchases with the documented balances): the run,
    // summing in SQL, must print the same invoice as `voiceagent billing preview`, which computes from the records.
    [Fact]
    public async Task The_documented_example_bills_exactly_what_billing_preview_prints()
    {
        var example = BillingCaseJson.Parse(await File.ReadAllTextAsync(RepositoryFiles.PathOf("docs", "billing-example.json"))).Case!;
        var expected = InvoiceCalculator.Calculate(example, January);
        var plan = await Seed.PlanAsync("Standard", example.Plan.BaseFeeCents, example.Plan.IncludedBotMinutes, example.Plan.IncludedForwardMinutes,
            example.Plan.BotRateCents, example.Plan.ForwardRateCents, "minute");
        var tenant = await Seed.TenantAsync("Salon Schnitt GmbH", example.Tenant.Country, example.Tenant.VatId);
        await Seed.AssignAsync(tenant, plan, example.Tenant.StartDate!.Value.ToDateOnly());
        foreach (var package in example.Packages)
        {
            await Seed.GrantedPackageAsync(tenant, (int)package.RemainingMinutes, package.ValidUntil.ToDateOnly(), new DateTimeOffset(2025, 10, 1, 0, 0, 0, TimeSpan.Zero));
        }

        foreach (var usage in example.Usage)
        {
            await Seed.UsageAsync(tenant, usage.Kind == UsageKind.Bot ? "bot" : "forward", usage.Start.ToDateTimeOffset(), usage.Seconds);
        }

        await App.Services.GetRequiredService<BillingRun>().RunAsync(January, RunTriggers.Schedule, Admin, finalize: true);

        Assert.Equal(expected.NetCents, await Seed.ScalarAsync<long>("SELECT net_cents FROM invoices"));
        Assert.Equal(expected.TaxCents, await Seed.ScalarAsync<long>("SELECT tax_cents FROM invoices"));
        Assert.Equal(4094L, await Seed.ScalarAsync<long>("SELECT gross_cents FROM invoices"));
        var lines = await Seed.ScalarAsync<string>("SELECT string_agg(description || '|' || quantity::text || '|' || amount_cents, ';' ORDER BY position) FROM invoice_lines");
        Assert.Equal(string.Join(';', expected.Lines.Select(l => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{l.Description}|{l.Quantity:0.0000}|{l.AmountCents}"))), lines);
        Assert.Equal(new DateOnly(2026, 1, 12), await Seed.ScalarAsync<DateOnly>("SELECT service_from FROM invoices"));
    }

    [Fact]
    public async Task Every_table_with_a_tenant_id_has_row_level_security_and_a_tenant_isolation_policy()
    {
        var unprotected = await OwnerTextsAsync("""
            SELECT c.relname FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
             WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace
               AND (NOT c.relrowsecurity OR NOT EXISTS (SELECT 1 FROM pg_policies p WHERE p.tablename = c.relname AND p.policyname = 'tenant_isolation'))
            """);

        Assert.Empty(unprotected);
        Assert.Equal(1L, await CountAsync("SELECT count(*) FROM pg_views WHERE viewname = 'package_balances' AND definition IS NOT NULL"));
    }

    [Fact]
    public async Task Every_policy_evaluates_the_scope_once_per_statement()
    {
        // Benchmark B6: app_is_platform() / app_tenant_id() only inside a scalar sub-select (an InitPlan, once per statement),
        // never per row. Each call must be preceded by "SELECT " in the stored rule.
        var perRow = await OwnerTextsAsync("""
            SELECT tablename || '.' || policyname || ': ' || rule
              FROM (SELECT tablename, policyname, coalesce(qual, '') || ' ' || coalesce(with_check, '') AS rule
                      FROM pg_policies WHERE schemaname = 'public') p
             WHERE regexp_count(rule, 'app_(is_platform|tenant_id)\(\)') <> regexp_count(rule, 'SELECT app_(is_platform|tenant_id)\(\)')
            """);

        Assert.Empty(perRow);
        Assert.True(await CountAsync("SELECT count(*) FROM pg_policies WHERE schemaname = 'public' AND qual LIKE '%SELECT app_tenant_id()%'") > 20);
    }

    /// <summary>The first column of every row, read as the schema owner (the catalog as it is, no row-level security).</summary>
    private async Task<List<string>> OwnerTextsAsync(string sql)
    {
        var texts = new List<string>();
        await using var connection = new NpgsqlConnection(Database.OwnerConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            texts.Add(reader.GetString(0));
        }

        return texts;
    }
}
