using System.Reflection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace VoiceAgent.Platform.Data;

/// <summary>
/// Applies the embedded SQL migrations (Data/Migrations/NNNN_name.sql) in order, each in its own transaction, under an
/// advisory lock so concurrent deploys cannot interleave. Runs with the schema owner's connection; afterwards grants the
/// app role DML (never DDL, never ownership) so row-level security applies to it. Hangfire's job store (schema
/// <see cref="HangfireSchema"/>) is installed or upgraded here too, so the app never needs to create schemas at start-up.
/// deploy/local/restore.sh gives the app role the same grants after a restore: keep the two in step.
/// </summary>
public sealed class DatabaseMigrator(ILogger<DatabaseMigrator> logger)
{
    private const long AdvisoryLockKey = 0x566f696365; // "Voice"
    private const string ResourcePrefix = "VoiceAgent.Migrations.";

    /// <summary>The schema of Hangfire's tables (same database, apart from ours).</summary>
    public const string HangfireSchema = "hangfire";

    public static IReadOnlyList<(string Id, string Sql)> LoadMigrations()
    {
        var assembly = typeof(DatabaseMigrator).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n => (Id: n[ResourcePrefix.Length..^4], Sql: Read(assembly, n)))
            .ToList();
    }

    /// <returns>The ids of the migrations applied by this call.</returns>
    public async Task<IReadOnlyList<string>> MigrateAsync(string ownerConnectionString, string appRole, CancellationToken ct = default)
    {
        if (!IsValidIdentifier(appRole))
        {
            throw new ArgumentException($"Invalid app role name '{appRole}'.", nameof(appRole));
        }

        await using var connection = new NpgsqlConnection(ownerConnectionString);
        await connection.OpenAsync(ct);
        await Execute(connection, null, $"SELECT pg_advisory_lock({AdvisoryLockKey})", ct);
        try
        {
            await Execute(connection, null, """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    id text PRIMARY KEY,
                    applied_at timestamptz NOT NULL DEFAULT now())
                """, ct);

            var applied = new HashSet<string>(StringComparer.Ordinal);
            await using (var cmd = new NpgsqlCommand("SELECT id FROM schema_migrations", connection))
            await using (var reader = await cmd.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    applied.Add(reader.GetString(0));
                }
            }

            var done = new List<string>();
            foreach (var (id, sql) in LoadMigrations().Where(m => !applied.Contains(m.Id)))
            {
                await using var tx = await connection.BeginTransactionAsync(ct);
                await Execute(connection, tx, sql, ct);
                await using (var mark = new NpgsqlCommand("INSERT INTO schema_migrations (id) VALUES (@id)", connection, tx))
                {
                    mark.Parameters.AddWithValue("id", id);
                    await mark.ExecuteNonQueryAsync(ct);
                }

                await tx.CommitAsync(ct);
                logger.LogInformation("Applied migration {Migration}", id);
                done.Add(id);
            }

            await Execute(connection, null, $"""
                GRANT USAGE ON SCHEMA public TO {appRole};
                GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {appRole};
                GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {appRole};
                REVOKE ALL ON schema_migrations FROM {appRole};
                GRANT SELECT ON schema_migrations TO {appRole};
                """, ct);

            // Hangfire.PostgreSql's own installer (idempotent, versioned in its "schema" table); the app role gets DML only.
            Hangfire.PostgreSql.PostgreSqlObjectsInstaller.Install(connection, HangfireSchema);
            await Execute(connection, null, $"""
                GRANT USAGE ON SCHEMA {HangfireSchema} TO {appRole};
                GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {HangfireSchema} TO {appRole};
                GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {HangfireSchema} TO {appRole};
                """, ct);
            return done;
        }
        finally
        {
            await Execute(connection, null, $"SELECT pg_advisory_unlock({AdvisoryLockKey})", CancellationToken.None);
        }
    }

    public static bool IsValidIdentifier(string name) =>
        name.Length is > 0 and <= 63 && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_') && !char.IsDigit(name[0]);

    private static async Task Execute(NpgsqlConnection connection, NpgsqlTransaction? tx, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, connection, tx);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static string Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
