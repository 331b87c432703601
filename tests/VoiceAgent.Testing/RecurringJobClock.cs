using System.Globalization;
using Npgsql;

namespace VoiceAgent.Testing;

/// <summary>Moves a Hangfire recurring job's clock in its tables (as the schema owner), for tests and drills.</summary>
public static class RecurringJobClock
{
    /// <summary>
    /// Makes the recurring job's last occurrence due now, as if its cron time had just passed and no run had happened:
    /// created 40 days ago, never run, next execution a minute ago. Every server's recurring scheduler then sees it.
    /// </summary>
    public static async Task MakeDueAsync(string ownerConnectionString, string recurringJobId)
    {
        var now = DateTime.UtcNow;
        await using var connection = new NpgsqlConnection(ownerConnectionString);
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
