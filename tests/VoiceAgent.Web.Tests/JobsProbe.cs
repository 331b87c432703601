using System.Globalization;
using Npgsql;
using VoiceAgent.Testing;

namespace VoiceAgent.Web.Tests;

/// <summary>Looks into Hangfire's tables (as the schema owner) and waits for conditions, never for a fixed time.</summary>
internal static class JobsProbe
{
    /// <summary>Waits until the condition holds (<see cref="Eventually"/>).</summary>
    public static Task UntilAsync(Func<Task<bool>> condition, TimeSpan? timeout = null, string? what = null) =>
        Eventually.UntilAsync(condition, what ?? "(unnamed)", timeout);

    public static async Task<string?> RecurringFieldAsync(PostgresServer database, string recurringJobId, string field)
    {
        await using var connection = new NpgsqlConnection(database.OwnerConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT value FROM hangfire.hash WHERE key = @k AND field = @f", connection);
        cmd.Parameters.AddWithValue("k", "recurring-job:" + recurringJobId);
        cmd.Parameters.AddWithValue("f", field);
        return await cmd.ExecuteScalarAsync() as string;
    }

    public static async Task<DateTime?> NextExecutionAsync(PostgresServer database, string recurringJobId)
    {
        var value = await RecurringFieldAsync(database, recurringJobId, "NextExecution");
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        return long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime
            : DateTime.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
    }

    /// <summary>
    /// Makes the recurring job's last occurrence due now, as if its cron time had just passed and no run had happened:
    /// created 40 days ago, never run, next execution a minute ago. Every server's recurring scheduler then sees it.
    /// </summary>
    public static async Task MakeRecurringJobDueAsync(PostgresServer database, string recurringJobId)
    {
        var now = DateTime.UtcNow;
        await using var connection = new NpgsqlConnection(database.OwnerConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            UPDATE hangfire.hash SET value = @created WHERE key = @k AND field = 'CreatedAt';
            UPDATE hangfire.hash SET value = @next WHERE key = @k AND field = 'NextExecution';
            DELETE FROM hangfire.hash WHERE key = @k AND field = 'LastExecution';
            UPDATE hangfire.set SET score = @score WHERE key = 'recurring-jobs' AND value = @id;
            """, connection);
        cmd.Parameters.AddWithValue("k", "recurring-job:" + recurringJobId);
        cmd.Parameters.AddWithValue("id", recurringJobId);
        cmd.Parameters.AddWithValue("created", now.AddDays(-40).ToString("o", CultureInfo.InvariantCulture));
        cmd.Parameters.AddWithValue("next", now.AddMinutes(-1).ToString("o", CultureInfo.InvariantCulture));
        cmd.Parameters.AddWithValue("score", (double)new DateTimeOffset(now.AddMinutes(-1)).ToUnixTimeSeconds());
        await cmd.ExecuteNonQueryAsync();
    }
}
