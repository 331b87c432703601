using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using VoiceAgent.Billing;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Security;
using VoiceAgent.Testing;

namespace VoiceAgent.Web.Tests;

/// <summary>
/// deploy/local/backup.sh and restore.sh (issue #18, item 5) against real clusters: a database seeded through the app is
/// dumped, restored into a fresh cluster and served by the app again with the same key ring certificate — invoices,
/// their numbering and PDFs, flows, encrypted settings and row-level security intact. A damaged backup or a non-empty
/// target is refused and nothing changes. Each test has its own clusters (the shared one is never dumped or replaced).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class BackupRestoreTests : IAsyncLifetime
{
    private static readonly Actor Admin = new(null, VoiceAgentFactory.AdminEmail);

    // A fake key, split so that secret scanners do not mistake it for a real credential.
    private const string StripeKey = "sk_live_" + "51BackupRestoreXYZa1b2";

    private readonly string folder = FixtureDirectory.Create("backup");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        FixtureDirectory.Remove(folder);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_restored_backup_serves_the_same_invoices_flows_and_secrets_and_numbering_goes_on_without_gaps()
    {
        await using var source = await PostgresServer.StartAsync();
        await using var target = await PostgresServer.StartAsync(withDatabase: false);

        // ── Seed through the app: two approved tenants, a published flow, an encrypted setting, usage, two issued invoices.
        Guid salon, praxis, flowId;
        string flowJson, liveVersionJson;
        Dictionary<Guid, string> pdfHashes = [];
        await using (var app = new VoiceAgentFactory(source))
        {
            await app.CreateSuperAdminAsync();
            (salon, var salonAdmin) = await app.ApprovedTenantAsync("chef@salon-backup.de", "Salon Sicherung GmbH");
            (praxis, _) = await app.ApprovedTenantAsync("chef@praxis-backup.de", "Praxis Wiederherstellung GmbH");
            flowId = await app.SeedSampleFlowAsync(salon);
            var admin = await app.LoginAsAdminAsync();
            (await admin.PutAsJsonAsync("/api/admin/settings/stripe.secret_key", new { value = StripeKey })).EnsureSuccessStatusCode();

            var seed = new BillingSeed(source);
            var plan = await seed.PlanAsync("Standard", 4900, 100, 30, 12m, 9m);
            await seed.AssignAsync(salon, plan, new DateOnly(2025, 6, 1));
            await seed.AssignAsync(praxis, plan, new DateOnly(2025, 6, 1));
            await seed.UsageAsync(salon, "bot", new DateTimeOffset(2026, 1, 10, 9, 0, 0, TimeSpan.FromHours(1)), 130 * 60);
            await seed.UsageAsync(praxis, "forward", new DateTimeOffset(2026, 1, 12, 9, 0, 0, TimeSpan.FromHours(1)), 31 * 60 + 1);
            var january = await app.Services.GetRequiredService<BillingRun>().RunAsync(new BillingPeriod(2026, 1), RunTriggers.Manual, Admin, finalize: true);
            Assert.Equal(2, january.Finalized);

            // The tenants download their PDFs (archived on first download, GoBD): the restored app must serve the same bytes.
            foreach (var (email, tenant) in new[] { ("chef@salon-backup.de", salon), ("chef@praxis-backup.de", praxis) })
            {
                var invoice = await ScalarAsync<Guid>(source.OwnerConnectionString, "SELECT id FROM invoices WHERE tenant_id = @t", ("t", tenant));
                pdfHashes[invoice] = await PdfHashAsync(app, email, invoice);
            }

            flowJson = await salonAdmin.GetStringAsync($"/api/flows/{flowId}");
            var live = await ScalarAsync<int>(source.OwnerConnectionString,
                "SELECT version FROM flow_versions WHERE flow_id = @f AND status = 'live'", ("f", flowId));
            liveVersionJson = await salonAdmin.GetStringAsync($"/api/flows/{flowId}/versions/{live}");
        }

        var stored = await SnapshotAsync(source);
        var grants = await AppRoleGrantsAsync(source);

        // ── Back up the fixture's database as its owner, with the key ring certificate.
        var backup = Path.Combine(folder, "backup");
        var dumped = await RunScriptAsync("backup.sh", "--host", "127.0.0.1", "--port", source.Port.ToString(), "--user", PostgresServer.OwnerRole,
            "--dbname", PostgresServer.Database, "--keyring", TestKeyRing.CertificatePath, "--out", backup);
        Assert.True(dumped.ExitCode == 0, dumped.Output);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, new DirectoryInfo(backup).UnixFileMode);
        Assert.Equal(["MANIFEST", "keyring.pfx", "voiceagent.dump"], Directory.GetFiles(backup).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal));
        Assert.All(Directory.GetFiles(backup), f => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f)));
        Assert.Equal(await File.ReadAllBytesAsync(TestKeyRing.CertificatePath), await File.ReadAllBytesAsync(Path.Combine(backup, "keyring.pfx")));
        var manifest = await File.ReadAllTextAsync(Path.Combine(backup, "MANIFEST"));
        Assert.Contains("schema_migrations_head: " + DatabaseMigrator.LoadMigrations()[^1].Id, manifest);
        Assert.Contains("postgresql_version: ", manifest);
        Assert.Contains($"sha256: {Sha256(await File.ReadAllBytesAsync(Path.Combine(backup, "voiceagent.dump")))}  voiceagent.dump", manifest);
        Assert.Contains($"sha256: {Sha256(await File.ReadAllBytesAsync(Path.Combine(backup, "keyring.pfx")))}  keyring.pfx", manifest);
        Assert.DoesNotContain(TestKeyRing.Password, manifest + dumped.Output);

        // ── Restore into the fresh cluster (same role names as the fixture: va_owner / va_app) and put the certificate back.
        var keyring = Path.Combine(folder, "restored", "keyring.pfx");
        var restored = await RunScriptAsync("restore.sh", backup, "--host", "127.0.0.1", "--port", target.Port.ToString(), "--superuser", "postgres",
            "--owner-role", PostgresServer.OwnerRole, "--app-role", PostgresServer.AppRole, "--keyring-to", keyring);
        Assert.True(restored.ExitCode == 0, restored.Output);
        Assert.Contains("Checksums of", restored.Output);
        Assert.Equal(await File.ReadAllBytesAsync(TestKeyRing.CertificatePath), await File.ReadAllBytesAsync(keyring));

        // What is stored is what was stored, row for row; the app role has exactly the grants the migrator gives it.
        Assert.Equal(stored, await SnapshotAsync(target));
        Assert.Equal(grants, await AppRoleGrantsAsync(target));

        // ── The app on the restored database, with the restored certificate (the key ring in the dump is encrypted with it).
        await using var restoredApp = new VoiceAgentFactory(target)
        {
            Settings =
            {
                ["DataProtection:Certificate:Path"] = keyring,
                ["DataProtection:Certificate:Password"] = TestKeyRing.Password,
            },
        };

        // Invoices: the same PDFs (the archived documents, byte for byte).
        foreach (var (email, tenant) in new[] { ("chef@salon-backup.de", salon), ("chef@praxis-backup.de", praxis) })
        {
            var invoice = await ScalarAsync<Guid>(target.OwnerConnectionString, "SELECT id FROM invoices WHERE tenant_id = @t", ("t", tenant));
            Assert.Equal(pdfHashes[invoice], await PdfHashAsync(restoredApp, email, invoice));
        }

        // The flow and its published version, as the designer's API shows them.
        var restoredSalon = await restoredApp.LoginAsync("chef@salon-backup.de", TestData.Password);
        Assert.Equal(flowJson, await restoredSalon.GetStringAsync($"/api/flows/{flowId}"));
        Assert.Contains("\"status\":\"live\"", flowJson, StringComparison.OrdinalIgnoreCase);
        var liveNow = await ScalarAsync<int>(target.OwnerConnectionString,
            "SELECT version FROM flow_versions WHERE flow_id = @f AND status = 'live'", ("f", flowId));
        Assert.Equal(liveVersionJson, await restoredSalon.GetStringAsync($"/api/flows/{flowId}/versions/{liveNow}"));

        // The encrypted provider setting decrypts with the restored key ring; the super-admin sees its hint.
        await using (var scope = restoredApp.Services.CreateAsyncScope())
        {
            Assert.Equal(StripeKey, await scope.ServiceProvider.GetRequiredService<SettingsStore>().GetAsync("stripe.secret_key"));
        }

        var restoredAdmin = await restoredApp.LoginAsAdminAsync();
        Assert.Contains("sk_live_…a1b2", await restoredAdmin.GetStringAsync("/api/admin/settings"));

        // Numbering goes on where it stopped: February's two invoices get the next numbers, no gap, no repeat.
        var february = await restoredApp.Services.GetRequiredService<BillingRun>().RunAsync(new BillingPeriod(2026, 2), RunTriggers.Manual, Admin, finalize: true);
        Assert.Equal(2, february.Finalized);
        Assert.Equal("1,2,3,4", await ScalarAsync<string>(target.OwnerConnectionString,
            "SELECT string_agg(number_seq::text, ',' ORDER BY number_seq) FROM invoices WHERE number IS NOT NULL"));
        Assert.Equal(4L, await ScalarAsync<long>(target.OwnerConnectionString, "SELECT count(DISTINCT number) FROM invoices WHERE number IS NOT NULL"));
        Assert.Equal(4, await ScalarAsync<int>(target.OwnerConnectionString, "SELECT max(last_number) FROM invoice_number_counters"));

        // Row-level security still holds for the app role: a tenant's scope sees its own rows only, no scope sees none.
        await using (var connection = new NpgsqlConnection(target.AppConnectionString))
        {
            await connection.OpenAsync();
            Assert.Equal(0L, await CountAsync(connection, "SELECT count(*) FROM invoices"));
            await using var tx = await connection.BeginTransactionAsync();
            await using (var scope = new NpgsqlCommand("SELECT set_config('app.tenant_id', @t, true)", connection, tx))
            {
                scope.Parameters.AddWithValue("t", salon.ToString());
                await scope.ExecuteScalarAsync();
            }

            Assert.Equal(2L, await CountAsync(connection, "SELECT count(*) FROM invoices", tx));
            Assert.Equal(0L, await CountAsync(connection, $"SELECT count(*) FROM invoices WHERE tenant_id = '{praxis}'", tx));
            Assert.Equal(1L, await CountAsync(connection, "SELECT count(*) FROM tenants", tx));
            Assert.Equal(1L, await CountAsync(connection, $"SELECT count(*) FROM flows WHERE id = '{flowId}'", tx));
            Assert.Equal(0L, await CountAsync(connection, $"SELECT count(*) FROM flows WHERE tenant_id <> '{salon}'", tx));
        }
    }

    [Fact]
    public async Task A_tampered_dump_or_a_non_empty_database_is_refused_and_nothing_changes()
    {
        await using var server = await PostgresServer.StartAsync();
        var seed = new BillingSeed(server);
        var tenant = await seed.TenantAsync("Vorher GmbH");
        var backup = Path.Combine(folder, "backup");
        var dumped = await RunScriptAsync("backup.sh", "--host", "127.0.0.1", "--port", server.Port.ToString(), "--user", PostgresServer.OwnerRole,
            "--keyring", TestKeyRing.CertificatePath, "--out", backup);
        Assert.True(dumped.ExitCode == 0, dumped.Output);
        // Changed after the backup: a restore would lose it.
        var later = await seed.TenantAsync("Nachher GmbH");
        var databases = await DatabasesAsync(server);
        var keyring = Path.Combine(folder, "restored", "keyring.pfx");
        string[] target = ["--host", "127.0.0.1", "--port", server.Port.ToString(), "--superuser", "postgres",
            "--owner-role", PostgresServer.OwnerRole, "--app-role", PostgresServer.AppRole, "--keyring-to", keyring];

        // A sound backup is not restored over a database with data unless --force says so.
        var refused = await RunScriptAsync("restore.sh", [backup, .. target]);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("is not empty", refused.Output);
        Assert.Contains("--force", refused.Output);

        // One byte of the dump changed: refused before anything is touched, even with --force.
        var dump = Path.Combine(backup, "voiceagent.dump");
        var bytes = await File.ReadAllBytesAsync(dump);
        bytes[bytes.Length / 2] ^= 0xFF;
        await File.WriteAllBytesAsync(dump, bytes);
        var tampered = await RunScriptAsync("restore.sh", [backup, .. target, "--force"]);
        Assert.Equal(1, tampered.ExitCode);
        Assert.Contains("checksum mismatch", tampered.Output);
        Assert.Contains("voiceagent.dump: FAILED", tampered.Output);

        Assert.Equal(databases, await DatabasesAsync(server));
        Assert.Equal(2L, await ScalarAsync<long>(server.OwnerConnectionString, "SELECT count(*) FROM tenants WHERE id IN (@a, @b)", ("a", tenant), ("b", later)));
        Assert.False(File.Exists(keyring));
    }

    private sealed record ScriptResult(int ExitCode, string Output);

    /// <summary>Runs deploy/local/SCRIPT with bash (as test.sh runs the suite: root or not); stdout and stderr together.</summary>
    private static async Task<ScriptResult> RunScriptAsync(string script, params string[] args)
    {
        var info = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        info.ArgumentList.Add(RepositoryFiles.PathOf("deploy", "local", script));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // The fixtures trust local connections: no password may leak in from the environment.
        info.Environment.Remove("PGPASSWORD");
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{script} did not finish: {await stdout}{await stderr}");
        }

        return new ScriptResult(process.ExitCode, await stdout + await stderr);
    }


    /// <summary>The rows the restore must bring back unchanged (as the owner: no row-level security), table by table.</summary>
    private static async Task<string> SnapshotAsync(PostgresServer server)
    {
        string[] tables = ["tenants", "flows", "flow_versions", "provider_settings", "usage_records", "invoices", "invoice_lines",
            "invoice_number_counters", "data_protection_keys", "schema_migrations"];
        var parts = new List<string>();
        foreach (var table in tables)
        {
            parts.Add(table + ": " + await ScalarAsync<string>(server.OwnerConnectionString,
                $"SELECT coalesce(string_agg(to_jsonb(t)::text, '|' ORDER BY to_jsonb(t)::text), '') FROM {table} t"));
        }

        parts.Add("invoice_documents: " + await ScalarAsync<string>(server.OwnerConnectionString,
            "SELECT coalesce(string_agg(invoice_id::text || '/' || source || '/' || encode(sha256(content), 'hex'), '|' ORDER BY invoice_id, source), '') FROM invoice_documents"));
        return string.Join("\n", parts);
    }

    /// <summary>The app role's table privileges in both schemas, whoever granted them.</summary>
    private static Task<string> AppRoleGrantsAsync(PostgresServer server) =>
        ScalarAsync<string>(SuperConnection(server, PostgresServer.Database), $"""
            SELECT string_agg(schemaname || '.' || tablename || ':' ||
                       coalesce((SELECT string_agg(p, '/') FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) p
                                  WHERE has_table_privilege('{PostgresServer.AppRole}', format('%I.%I', schemaname, tablename), p)), '-'),
                   ',' ORDER BY schemaname, tablename)
              FROM pg_tables WHERE schemaname IN ('public', 'hangfire')
            """);

    private static Task<string> DatabasesAsync(PostgresServer server) =>
        ScalarAsync<string>(server.SuperConnectionString, "SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database");

    private static string SuperConnection(PostgresServer server, string database) =>
        new NpgsqlConnectionStringBuilder(server.SuperConnectionString) { Database = database }.ConnectionString;

    private static async Task<string> PdfHashAsync(VoiceAgentFactory app, string email, Guid invoice)
    {
        var page = PortalPage.Create(app);
        await page.LoginAsync(email, TestData.Password);
        var response = await page.Client.GetAsync($"/app/billing/invoices/{invoice}/pdf");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/pdf", response.Content.Headers.ContentType?.MediaType);
        return Sha256(await response.Content.ReadAsByteArrayAsync());
    }

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static async Task<long> CountAsync(NpgsqlConnection connection, string sql, NpgsqlTransaction? tx = null)
    {
        await using var cmd = new NpgsqlCommand(sql, connection, tx);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value);
        }

        return (T)(await cmd.ExecuteScalarAsync())!;
    }
}
