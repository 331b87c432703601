using Microsoft.EntityFrameworkCore;

namespace VoiceAgent.Telephony.Calls;

/// <summary>
/// The usage arithmetic of a call: forward seconds per dial leg and bot seconds = total − forwarded. A record is keyed by
/// the provider's id, so a duplicate callback never counts twice; changes are saved by the handler with its others.
/// </summary>
public sealed class UsageMeter(VoiceAgentDb db)
{
    /// <summary>Records usage once per provider id (ON CONFLICT DO NOTHING: a duplicate callback never counts twice).</summary>
    public async Task AddUsageOnceAsync(Call call, string kind, string providerRef, DateTimeOffset start, DateTimeOffset end, int seconds,
        CancellationToken ct)
    {
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO usage_records (tenant_id, call_id, provider, kind, provider_ref, number, started_at, ended_at, seconds)
            VALUES ({call.TenantId}, {call.Id}, {call.Provider}, {kind}, {providerRef}, {call.ToNumber}, {start}, {end}, {seconds})
            ON CONFLICT (provider, kind, provider_ref) DO NOTHING
            """, ct);
    }

    /// <summary>A transfer leg the provider reports with its duration (Twilio's Dial action).</summary>
    public Task AddForwardLegAsync(Call call, string dialCallId, DateTimeOffset end, int seconds, CancellationToken ct) =>
        AddUsageOnceAsync(call, UsageKinds.Forward, dialCallId, end.AddSeconds(-seconds), end, seconds, ct);

    /// <summary>
    /// A forward leg of a provider without dial durations (sipgate) starts at its answer: a 0-second record that is the
    /// remembered answer time, so any app instance can settle it; a repeated answer keeps the first time.
    /// </summary>
    public Task StartForwardLegAsync(Call call, DateTimeOffset answeredAt, CancellationToken ct) =>
        AddUsageOnceAsync(call, UsageKinds.Forward, ForwardRef(call.ProviderCallId), answeredAt, answeredAt, 0, ct);

    /// <summary>
    /// The end of a call whose provider reports no dial durations (sipgate): the forward leg started at its answer (if
    /// any) ends with the call, then bot seconds are recomputed — one read of the call's records for both.
    /// </summary>
    /// <returns>Whether a forward leg was answered.</returns>
    public async Task<bool> SettleForwardLegAsync(Call call, DateTimeOffset end, CancellationToken ct)
    {
        var records = await RecordsAsync(call, ct);
        var forwardRef = ForwardRef(call.ProviderCallId);
        var forward = records.SingleOrDefault(u => u.Kind == UsageKinds.Forward && u.ProviderRef == forwardRef);
        if (forward is not null)
        {
            forward.EndedAt = end > forward.StartedAt ? end : forward.StartedAt;
            forward.Seconds = WholeSeconds(forward.StartedAt, end);
        }

        await RecomputeBotUsageAsync(call, records, ct);
        return forward is not null;
    }

    /// <summary>Bot seconds = the call's duration − its forward legs, once the duration is known.</summary>
    public async Task RecomputeBotUsageAsync(Call call, CancellationToken ct)
    {
        if (call.DurationSeconds is not null)
        {
            await RecomputeBotUsageAsync(call, await RecordsAsync(call, ct), ct);
        }
    }

    private Task<List<UsageRecord>> RecordsAsync(Call call, CancellationToken ct) => db.UsageRecords.Where(u => u.CallId == call.Id).ToListAsync(ct);

    private async Task RecomputeBotUsageAsync(Call call, List<UsageRecord> records, CancellationToken ct)
    {
        if (call.DurationSeconds is not { } total)
        {
            return;
        }

        var forwarded = records.Where(u => u.Kind == UsageKinds.Forward).Sum(u => u.Seconds);
        var seconds = Math.Max(0, total - forwarded);
        var end = call.StartedAt.AddSeconds(total);
        if (records.SingleOrDefault(u => u.Kind == UsageKinds.Bot) is { } bot)
        {
            bot.Seconds = seconds;
            bot.EndedAt = end;
        }
        else
        {
            await AddUsageOnceAsync(call, UsageKinds.Bot, call.ProviderCallId, call.StartedAt, end, seconds, ct);
        }
    }

    // Rounded up: the forward leg (which starts later) can never come out longer than the whole call.
    public static int WholeSeconds(DateTimeOffset start, DateTimeOffset end) => Math.Max(0, (int)Math.Ceiling((end - start).TotalSeconds));

    private static string ForwardRef(string providerCallId) => providerCallId + ":forward";
}
