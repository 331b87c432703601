using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using VoiceAgent.Platform.Data;

namespace VoiceAgent.Testing;

/// <summary>
/// A private PostgreSQL cluster for tests: Debian's server binaries, a temporary data directory, a free port on
/// 127.0.0.1. One shared instance serves a whole test run (<see cref="Shared"/>); tests reset its data at their start.
/// The schema is created by the real migrations, with the same owner/app role split as production.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    public const string OwnerRole = "va_owner";
    public const string AppRole = "va_app";
    public const string Database = "voiceagent";

    private static readonly Lazy<Task<PostgresServer>> SharedInstance = new(async () =>
    {
        var server = await StartAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop();
        return server;
    });

    private readonly string directory;
    private bool stopped;

    private PostgresServer(string directory, int port)
    {
        this.directory = directory;
        Port = port;
    }

    public static Task<PostgresServer> Shared => SharedInstance.Value;

    public int Port { get; }

    public string SuperConnectionString => Connection("postgres", "postgres");

    public string OwnerConnectionString => Connection(OwnerRole, Database);

    public string AppConnectionString => Connection(AppRole, Database);

    private string DataDirectory => Path.Combine(directory, "data");

    /// <summary>Where the hosts on this database write their mails (pickup folder), removed with the cluster.</summary>
    public string MailDirectory => Path.Combine(directory, "mail");

    /// <param name="withDatabase">
    /// False: the roles only, no database <see cref="Database"/> (a fresh server to restore a backup into).
    /// </param>
    public static async Task<PostgresServer> StartAsync(bool withDatabase = true)
    {
        RemoveStaleDirectories();
        var directory = FixtureDirectory.Create("pg");
        var server = new PostgresServer(directory, FreePort());
        var asRoot = Environment.UserName == "root";
        // Run by the fixture's watchdog or the next test run if this process ends without Stop (killed, cancelled).
        FixtureDirectory.SetCleanup(directory, $"""
            [ -f {FixtureDirectory.Quote(server.DataDirectory)}/postmaster.pid ] || exit 0
            {(asRoot ? "runuser -u postgres -- " : "")}{FixtureDirectory.Quote(Path.Combine(BinDirectory(), "pg_ctl"))} -D {FixtureDirectory.Quote(server.DataDirectory)} -m immediate -w -t 30 stop >/dev/null 2>&1 || true
            """);
        try
        {
            if (asRoot)
            {
                // PostgreSQL refuses to run as root; the Debian package provides the 'postgres' system user.
                await Run("chown", "-R", "postgres", directory);
            }

            await server.Pg("initdb", "-D", server.DataDirectory, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync");
            await server.Pg("pg_ctl", "-D", server.DataDirectory, "-l", Path.Combine(directory, "postgres.log"), "-w", "-t", "60",
                "-o", $"-c listen_addresses=127.0.0.1 -p {server.Port} -c unix_socket_directories='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
                "start");
            await server.CreateDatabaseAsync(withDatabase);
            server.EmptyMailDirectory();
        }
        catch
        {
            // Whatever got started (maybe the server, maybe only the folder) goes again.
            server.stopped = true;
            FixtureDirectory.Remove(directory);
            throw;
        }

        return server;
    }

    private async Task CreateDatabaseAsync(bool withDatabase)
    {
        await using (var connection = new NpgsqlConnection(SuperConnectionString))
        {
            await connection.OpenAsync();
            // One statement per command: CREATE DATABASE cannot run inside a multi-statement batch.
            foreach (var sql in new[]
                     {
                         $"CREATE ROLE {OwnerRole} LOGIN",
                         $"CREATE ROLE {AppRole} LOGIN NOSUPERUSER NOBYPASSRLS",
                         $"CREATE DATABASE {Database} OWNER {OwnerRole}",
                     }.Take(withDatabase ? 3 : 2))
            {
                await using var cmd = new NpgsqlCommand(sql, connection);
                await cmd.ExecuteNonQueryAsync();
            }
        }

        if (!withDatabase)
        {
            return;
        }

        await using (var connection = new NpgsqlConnection(Connection("postgres", Database)))
        {
            await connection.OpenAsync();
            await using var cmd = new NpgsqlCommand($"REVOKE CREATE ON SCHEMA public FROM PUBLIC; ALTER SCHEMA public OWNER TO {OwnerRole};", connection);
            await cmd.ExecuteNonQueryAsync();
        }

        await new DatabaseMigrator(NullLogger<DatabaseMigrator>.Instance).MigrateAsync(OwnerConnectionString, AppRole);
    }

    // Folders of older test runs that carry no owner file (FixtureDirectory reaps the others): remove those whose
    // server is gone.
    private static void RemoveStaleDirectories()
    {
        foreach (var dir in Directory.GetDirectories(Path.GetTempPath(), "voiceagent-pg-*"))
        {
            if (File.Exists(Path.Combine(dir, FixtureDirectory.OwnerFile)))
            {
                continue;
            }

            var pidFile = Path.Combine(dir, "data", "postmaster.pid");
            var running = File.Exists(pidFile)
                && int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out var pid)
                && Directory.Exists($"/proc/{pid}");
            if (!running && Directory.GetCreationTimeUtc(dir) < DateTime.UtcNow.AddMinutes(-5))
            {
                try
                {
                    Directory.Delete(dir, recursive: true);
                }
                catch (IOException)
                {
                    // Another run may be deleting it at the same time; it is only a leftover.
                }
            }
        }
    }

    /// <summary>
    /// Empties every table (as the owner) so a test starts from a known state; the key ring stays. The application's ids
    /// start again; Hangfire's do not: a worker of an earlier test's host that is still finishing (its heartbeat, its state
    /// change) must never find its old job id on a job of this test. A deadlock with such a worker is retried.
    /// </summary>
    public async Task ResetAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await TruncateAsync();
                break;
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DeadlockDetected && attempt < 5)
            {
                // The other side of the deadlock was rolled back or goes on; the next attempt takes the locks again.
            }
        }

        NpgsqlConnection.ClearAllPools();
        EmptyMailDirectory();
    }

    private async Task TruncateAsync()
    {
        await using var connection = new NpgsqlConnection(OwnerConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            TRUNCATE tenants, users, user_claims, user_logins, user_tokens, audit_entries, provider_settings, flows, flow_versions,
                flow_sessions, flow_incidents, calendar_settings, sandbox_events, call_settings, phone_numbers, calls, usage_records, tenant_twilio_accounts,
                calendar_connections, oauth_states, calendar_bookings,
                billing_plans, billing_plan_versions, tenant_plans, minute_packages, package_purchases, package_consumptions, invoices,
                invoice_lines, invoice_documents, invoice_number_counters, lexoffice_contacts, lexoffice_transmissions, lexoffice_rate_limit,
                stripe_checkouts, stripe_events, billing_runs, mail_outbox, sipgate_push_arrivals, sign_in_throttles
                RESTART IDENTITY CASCADE;
            TRUNCATE hangfire.job, hangfire.state, hangfire.jobparameter, hangfire.jobqueue, hangfire.hash, hangfire.set, hangfire.list,
                hangfire.counter, hangfire.aggregatedcounter, hangfire.server, hangfire.lock
                CONTINUE IDENTITY CASCADE;
            """, connection);
        await cmd.ExecuteNonQueryAsync();
    }

    private void EmptyMailDirectory()
    {
        if (Directory.Exists(MailDirectory))
        {
            Directory.Delete(MailDirectory, recursive: true);
        }

        Directory.CreateDirectory(MailDirectory);
    }

    public void Stop()
    {
        if (stopped)
        {
            return;
        }

        stopped = true;
        try
        {
            Pg("pg_ctl", "-D", DataDirectory, "-m", "immediate", "-w", "stop").GetAwaiter().GetResult();
        }
        finally
        {
            FixtureDirectory.Remove(directory);
        }
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }

    private string Connection(string user, string database) =>
        $"Host=127.0.0.1;Port={Port};Database={database};Username={user};Pooling=true;Timeout=5;Command Timeout=30";

    private Task Pg(string tool, params string[] args)
    {
        var path = Path.Combine(BinDirectory(), tool);
        return Environment.UserName == "root"
            ? Run("runuser", ["-u", "postgres", "--", path, .. args])
            : Run(path, args);
    }

    private static string BinDirectory()
    {
        var configured = Environment.GetEnvironmentVariable("VOICEAGENT_PG_BIN");
        if (!string.IsNullOrEmpty(configured))
        {
            return configured;
        }

        var dirs = Directory.Exists("/usr/lib/postgresql") ? Directory.GetDirectories("/usr/lib/postgresql") : [];
        var newest = dirs.Select(d => (Dir: d, Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
            .OrderByDescending(d => d.Version).FirstOrDefault();
        return newest.Dir is null
            ? throw new InvalidOperationException("PostgreSQL server binaries not found: apt-get install postgresql (or set VOICEAGENT_PG_BIN).")
            : Path.Combine(newest.Dir, "bin");
    }

    private static async Task Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({process.ExitCode}): {await stderr}{await stdout}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
