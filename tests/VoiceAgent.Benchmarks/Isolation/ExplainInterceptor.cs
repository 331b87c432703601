using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;

namespace VoiceAgent.Benchmarks.Isolation;

/// <summary>
/// <c>rls --explain</c>: before EF Core runs a query, runs <c>EXPLAIN (ANALYZE, BUFFERS)</c> of the same statement with the
/// same parameters in the same transaction (so in the same role and row-level-security scope) and writes the plan.
/// </summary>
internal sealed class ExplainInterceptor(TextWriter log, string side) : DbCommandInterceptor
{
    public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        await using var explain = new NpgsqlCommand("EXPLAIN (ANALYZE, BUFFERS) " + command.CommandText, (NpgsqlConnection)command.Connection!,
            (NpgsqlTransaction?)command.Transaction);
        foreach (NpgsqlParameter parameter in command.Parameters)
        {
            explain.Parameters.Add(parameter.Clone());
        }

        var plan = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                plan.Add("    " + reader.GetString(0));
            }
        }

        log.WriteLine($"--- {side}: {command.CommandText.ReplaceLineEndings(" ")}");
        log.WriteLine(string.Join(Environment.NewLine, plan));
        return result;
    }
}
