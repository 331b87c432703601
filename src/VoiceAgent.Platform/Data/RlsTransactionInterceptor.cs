using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace VoiceAgent.Platform.Data;

/// <summary>Sets the row-level-security context at the start of every transaction (transaction-local settings).</summary>
public sealed class RlsTransactionInterceptor(DbScope scope) : DbTransactionInterceptor
{
    public override DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        using var command = CreateCommand(connection, result, scope);
        command.ExecuteNonQuery();
        return result;
    }

    public override async ValueTask<DbTransaction> TransactionStartedAsync(
        DbConnection connection, TransactionEndEventData eventData, DbTransaction result, CancellationToken cancellationToken = default)
    {
        await using var command = CreateCommand(connection, result, scope);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return result;
    }

    internal static DbCommand CreateCommand(DbConnection connection, DbTransaction? transaction, DbScope scope)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT set_config('app.tenant_id', @tenant, true), set_config('app.platform', @platform, true)";
        command.Parameters.Add(new NpgsqlParameter("tenant", scope.TenantId?.ToString() ?? ""));
        command.Parameters.Add(new NpgsqlParameter("platform", scope.IsPlatform ? "on" : "off"));
        return command;
    }
}

public static class DbScopeExtensions
{
    /// <summary>Re-applies the scope inside the current transaction after it changed (e.g. sign-in switching to a tenant).</summary>
    public static async Task ApplyScopeAsync(this VoiceAgentDb db, CancellationToken ct = default)
    {
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        if (transaction is null)
        {
            return;
        }

        await using var command = RlsTransactionInterceptor.CreateCommand(transaction.Connection!, transaction, db.Scope);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Runs work in its own transaction with the given scope, restoring the previous scope afterwards.</summary>
    public static async Task<T> InScopeAsync<T>(this VoiceAgentDb db, Action<DbScope> enter, Func<Task<T>> work, CancellationToken ct = default)
    {
        var previousTenant = db.Scope.TenantId;
        var previousPlatform = db.Scope.IsPlatform;
        enter(db.Scope);
        try
        {
            if (db.Database.CurrentTransaction is not null)
            {
                await db.ApplyScopeAsync(ct);
                return await work();
            }

            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var result = await work();
            await tx.CommitAsync(ct);
            return result;
        }
        finally
        {
            if (previousPlatform)
            {
                db.Scope.UsePlatform();
            }
            else if (previousTenant is { } t)
            {
                db.Scope.UseTenant(t);
            }
            else
            {
                db.Scope.Clear();
            }

            await db.ApplyScopeAsync(ct);
        }
    }
}
