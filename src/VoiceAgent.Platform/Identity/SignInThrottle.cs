using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VoiceAgent.Platform.Data;

namespace VoiceAgent.Platform.Identity;

/// <summary>Wrong passwords of one (account, client address) pair: see 0017_sign_in_throttles.sql.</summary>
public sealed class SignInThrottle
{
    public string NormalizedEmail { get; set; } = "";
    public string ClientKey { get; set; } = "";
    public int Failures { get; set; }

    /// <summary>How often the pair has been locked since its last success: each lock lasts twice as long as the one before.</summary>
    public int Locks { get; set; }

    public DateTimeOffset? LockedUntil { get; set; }
    public DateTimeOffset LastFailureAt { get; set; }
}

public sealed class SignInThrottleOptions
{
    public const string Section = "SignIn";

    /// <summary>Wrong passwords from one address for one account before that pair is locked.</summary>
    [Range(1, 100)]
    public int MaxFailures { get; set; } = 5;

    /// <summary>The first lock of a pair; every further lock doubles it, up to <see cref="MaxLockDuration"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan LockDuration { get; set; } = TimeSpan.FromMinutes(15);

    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan MaxLockDuration { get; set; } = TimeSpan.FromHours(24);

    /// <summary>A pair without a failure for this long starts afresh (and its row is deleted).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan ForgetAfter { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often an open Blazor circuit re-checks its user's security stamp while it is idle (every action checks anyway).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:30:00")]
    public TimeSpan CircuitRevalidationInterval { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>What one failed attempt did to its pair: how many failures it now counts, and the lock it started, if any.</summary>
public sealed record SignInFailure(int Failures, DateTimeOffset? LockedUntil);

/// <summary>
/// Counts wrong passwords per (normalized e-mail, client key). Runs inside the caller's platform-scoped transaction; the
/// row is locked while it is updated, so parallel attempts from one address count one by one.
/// </summary>
public sealed class SignInThrottles(VoiceAgentDb db, TimeProvider time, IOptions<SignInThrottleOptions> options)
{
    private SignInThrottleOptions Options => options.Value;

    public async Task<DateTimeOffset?> LockedUntilAsync(string normalizedEmail, string clientKey, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var until = await db.SignInThrottles.AsNoTracking()
            .Where(t => t.NormalizedEmail == normalizedEmail && t.ClientKey == clientKey)
            .Select(t => t.LockedUntil).SingleOrDefaultAsync(ct);
        return until > now ? until : null;
    }

    public async Task<SignInFailure> RecordFailureAsync(string normalizedEmail, string clientKey, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO sign_in_throttles (normalized_email, client_key, last_failure_at) VALUES ({normalizedEmail}, {clientKey}, {now})
            ON CONFLICT DO NOTHING
            """, ct);
        var row = (await db.SignInThrottles.FromSql($"""
            SELECT * FROM sign_in_throttles WHERE normalized_email = {normalizedEmail} AND client_key = {clientKey} FOR UPDATE
            """).ToListAsync(ct)).Single();

        if (row.LastFailureAt < now - Options.ForgetAfter && !(row.LockedUntil > now))
        {
            row.Failures = 0;
            row.Locks = 0;
        }

        row.Failures++;
        row.LastFailureAt = now;
        DateTimeOffset? locked = null;
        if (row.Failures >= Options.MaxFailures)
        {
            row.Locks++;
            row.Failures = 0;
            var duration = Options.LockDuration * Math.Pow(2, Math.Min(row.Locks - 1, 16));
            locked = now + (duration < Options.MaxLockDuration ? duration : Options.MaxLockDuration);
            row.LockedUntil = locked;
        }

        await db.SaveChangesAsync(ct);
        db.Entry(row).State = EntityState.Detached;
        var forgotten = now - Options.ForgetAfter;
        await db.Database.ExecuteSqlAsync(
            $"DELETE FROM sign_in_throttles WHERE last_failure_at < {forgotten} AND (locked_until IS NULL OR locked_until < {now})", ct);
        return new SignInFailure(row.Failures, locked);
    }

    /// <summary>A correct password from this address: the pair starts afresh.</summary>
    public Task ClearAsync(string normalizedEmail, string clientKey, CancellationToken ct) =>
        db.SignInThrottles.Where(t => t.NormalizedEmail == normalizedEmail && t.ClientKey == clientKey).ExecuteDeleteAsync(ct);

    /// <summary>Removes every pair of the account (the super-admin's unlock); returns how many addresses were locked.</summary>
    public async Task<int> UnlockAsync(string normalizedEmail, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var locked = await db.SignInThrottles.CountAsync(t => t.NormalizedEmail == normalizedEmail && t.LockedUntil > now, ct);
        await db.SignInThrottles.Where(t => t.NormalizedEmail == normalizedEmail).ExecuteDeleteAsync(ct);
        return locked;
    }
}
