using Microsoft.Extensions.Options;
using Npgsql;

namespace VoiceAgent.Billing.Lexoffice;

/// <summary>
/// Lexoffice's limit (2 requests per second per key) holds for all our instances together, so the schedule lives in
/// PostgreSQL: each request reserves the next free slot in the single row of lexoffice_rate_limit (one short UPDATE, row
/// lock held only for it) and then waits until its slot. Slots are <see cref="LexofficeOptions.RequestSpacing"/> apart and
/// measured by the database clock, so the instances' clocks do not matter.
/// </summary>
public sealed class LexofficeRateLimiter(NpgsqlDataSource dataSource, IOptionsMonitor<LexofficeOptions> options, TimeProvider time)
{
    public async Task WaitAsync(CancellationToken ct)
    {
        var spacing = options.CurrentValue.RequestSpacing;
        if (spacing <= TimeSpan.Zero)
        {
            return;
        }

        await using var cmd = dataSource.CreateCommand("""
            INSERT INTO lexoffice_rate_limit AS r (id, next_slot) VALUES (1, clock_timestamp() + @spacing)
            ON CONFLICT (id) DO UPDATE SET next_slot = greatest(r.next_slot, clock_timestamp()) + @spacing
            RETURNING greatest(extract(epoch FROM (r.next_slot - @spacing - clock_timestamp())), 0)::float8
            """);
        cmd.Parameters.AddWithValue("spacing", spacing);
        var waitSeconds = (double)(await cmd.ExecuteScalarAsync(ct))!;
        if (waitSeconds > 0)
        {
            await Task.Delay(TimeSpan.FromSeconds(waitSeconds), time, ct);
        }
    }
}
