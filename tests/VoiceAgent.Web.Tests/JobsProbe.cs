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

    /// <summary>Makes the recurring job's last occurrence due now (<see cref="RecurringJobClock.MakeDueAsync"/>).</summary>
    public static Task MakeRecurringJobDueAsync(PostgresServer database, string recurringJobId) =>
        RecurringJobClock.MakeDueAsync(database.OwnerConnectionString, recurringJobId);
}
