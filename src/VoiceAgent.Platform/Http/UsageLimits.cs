using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using VoiceAgent.Platform.Data;

namespace VoiceAgent.Platform.Http;

/// <summary>Limits of one plan; null takes the default of <see cref="UsageLimitOptions"/>.</summary>
public sealed class PlanLimits
{
    public int? ApiCallsPerTenantPerMinute { get; set; }
    public int? SimulationsPerTenantPerMinute { get; set; }
    public int? CallSetupsPerTenantPerMinute { get; set; }
    public int? CallsPerCallerPerHour { get; set; }
    public int? ChangesPerUserPerMinute { get; set; }
}

/// <summary>
/// Usage limits (section <c>RateLimits</c>): defaults here, per plan under <c>RateLimits:Plans:&lt;plan name&gt;</c>
/// (the name the super-admin gave the plan in billing). Zero or less switches a limit off.
/// </summary>
public sealed class UsageLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary>API requests of all users of one tenant per minute.</summary>
    public int ApiCallsPerTenantPerMinute { get; set; } = 600;

    /// <summary>Flow simulations (test console) started per tenant per minute.</summary>
    public int SimulationsPerTenantPerMinute { get; set; } = 30;

    /// <summary>New inbound calls per tenant per minute (Twilio and sipgate).</summary>
    public int CallSetupsPerTenantPerMinute { get; set; } = 60;

    /// <summary>New calls from one caller number to one tenant per hour (robocall floods).</summary>
    public int CallsPerCallerPerHour { get; set; } = 10;

    /// <summary>Changes (non-GET API requests) per user per minute.</summary>
    public int ChangesPerUserPerMinute { get; set; } = 120;

    /// <summary>Anonymous sign-in/registration per client address (IPv6 /64) per minute.</summary>
    public int AnonymousPerClientPerMinute { get; set; } = RateLimits.PermitsPerMinute;

    public Dictionary<string, PlanLimits> Plans { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

public enum UsageLimitKind
{
    TenantApi,
    TenantSimulations,
    TenantCallSetups,
    CallerCalls,
    UserChanges,
}

/// <summary>The outcome of counting one request: allowed, or refused with the time until the window ends.</summary>
public readonly record struct LimitDecision(bool Allowed, TimeSpan RetryAfter, UsageLimitKind Kind, long Count = 0, int Limit = 0)
{
    /// <summary>The first request over the limit in this window (logged and audited once, not on every refusal).</summary>
    public bool IsFirstRefusal => !Allowed && Count == Limit + 1L;
}

/// <summary>A fixed-window counter store: shared (Redis) or per instance.</summary>
public interface IRateCounter
{
    /// <summary>Counts one hit for <paramref name="key"/> in the current window; returns the count and the time left in it.</summary>
    ValueTask<(long Count, TimeSpan Remaining)> HitAsync(string key, TimeSpan window, CancellationToken ct);
}

/// <summary>Per-instance fixed windows aligned to the clock (so instances and Redis agree on where a window starts).</summary>
public sealed class LocalRateCounter(TimeProvider time) : IRateCounter
{
    // Per key: when its current window ends (Unix ms) and the hits in it.
    private readonly ConcurrentDictionary<string, (long WindowEnd, long Count)> counters = new();
    private long lastSweep;

    /// <summary>The clock windows are measured with (shared with <see cref="RedisRateCounter"/>).</summary>
    public TimeProvider Time => time;

    public ValueTask<(long Count, TimeSpan Remaining)> HitAsync(string key, TimeSpan window, CancellationToken ct)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var length = (long)window.TotalMilliseconds;
        var end = (now / length + 1) * length;
        var entry = counters.AddOrUpdate(key, _ => (end, 1), (_, old) => old.WindowEnd == end ? (end, old.Count + 1) : (end, 1));
        Sweep(now);
        return ValueTask.FromResult((entry.Count, TimeSpan.FromMilliseconds(end - now)));
    }

    // Keys of ended windows are dropped once a minute, so a flood of distinct numbers or users cannot grow memory for long.
    private void Sweep(long now)
    {
        var last = Interlocked.Read(ref lastSweep);
        if (now - last < 60_000 || Interlocked.CompareExchange(ref lastSweep, now, last) != last)
        {
            return;
        }

        foreach (var (key, value) in counters)
        {
            if (value.WindowEnd <= now)
            {
                counters.TryRemove(key, out _);
            }
        }
    }
}

/// <summary>
/// Which plan a tenant is on now (its name), for per-plan limits; cached for five minutes, dropped on every instance when
/// a plan is assigned (announced under <see cref="Topic"/> with the tenant id).
/// </summary>
public sealed class TenantPlanNames
{
    public const string Topic = "tenant-plan";

    private readonly IServiceScopeFactory scopes;
    private readonly IMemoryCache cache;
    private readonly TimeProvider time;
    private CancellationTokenSource all = new();

    public TenantPlanNames(IServiceScopeFactory scopes, IMemoryCache cache, TimeProvider time, Cluster.IClusterEvents events)
    {
        this.scopes = scopes;
        this.cache = cache;
        this.time = time;
        events.Subscribe(Topic, key =>
        {
            if (Guid.TryParse(key, out var tenantId))
            {
                cache.Remove(("plan-name", tenantId));
            }
            else
            {
                Interlocked.Exchange(ref all, new CancellationTokenSource()).Cancel();
            }
        });
    }

    public async ValueTask<string?> CurrentAsync(Guid tenantId, CancellationToken ct)
    {
        if (cache.TryGetValue(("plan-name", tenantId), out string? name))
        {
            return name;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
        db.Scope.UsePlatform();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        name = await db.TenantPlans
            .Where(p => p.TenantId == tenantId && p.StartDate <= today && (p.EndDate == null || p.EndDate >= today))
            .Join(db.PricePlans, p => p.PlanId, p => p.Id, (_, plan) => plan.Name)
            .FirstOrDefaultAsync(ct);
        await transaction.CommitAsync(ct);
        cache.Set(("plan-name", tenantId), name, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(5) }
            .AddExpirationToken(new Microsoft.Extensions.Primitives.CancellationChangeToken(Volatile.Read(ref all).Token)));
        return name;
    }
}

/// <summary>
/// Usage limits per tenant (API calls, simulations, call set-ups per minute), per caller number (new calls to one tenant
/// per hour), and per user (changes per minute), counted in fixed windows by <see cref="IRateCounter"/> — shared through
/// Redis when <c>Redis:Configuration</c> is set, per instance otherwise.
/// </summary>
public sealed class UsageLimits(IRateCounter counter, IOptionsMonitor<UsageLimitOptions> options, TenantPlanNames plans)
{
    public async ValueTask<LimitDecision> HitTenantAsync(Guid tenantId, UsageLimitKind kind, CancellationToken ct) =>
        await HitAsync($"tenant:{tenantId:n}:{kind}", await LimitAsync(tenantId, kind, ct), TimeSpan.FromMinutes(1), kind, ct);

    /// <summary>One new call from <paramref name="callerE164"/> to the tenant (anonymous callers count together).</summary>
    public async ValueTask<LimitDecision> HitCallerAsync(Guid tenantId, string? callerE164, CancellationToken ct) =>
        await HitAsync($"caller:{tenantId:n}:{callerE164 ?? "anonymous"}", await LimitAsync(tenantId, UsageLimitKind.CallerCalls, ct),
            TimeSpan.FromHours(1), UsageLimitKind.CallerCalls, ct);

    public async ValueTask<LimitDecision> HitUserAsync(Guid userId, Guid? tenantId, CancellationToken ct) =>
        await HitAsync($"user:{userId:n}:changes",
            tenantId is { } id ? await LimitAsync(id, UsageLimitKind.UserChanges, ct) : options.CurrentValue.ChangesPerUserPerMinute,
            TimeSpan.FromMinutes(1), UsageLimitKind.UserChanges, ct);

    /// <summary>The limit for the tenant's current plan, or the default.</summary>
    public async ValueTask<int> LimitAsync(Guid tenantId, UsageLimitKind kind, CancellationToken ct)
    {
        var o = options.CurrentValue;
        PlanLimits? plan = null;
        if (o.Plans.Count > 0 && await plans.CurrentAsync(tenantId, ct) is { } name)
        {
            o.Plans.TryGetValue(name, out plan);
        }

        return kind switch
        {
            UsageLimitKind.TenantApi => plan?.ApiCallsPerTenantPerMinute ?? o.ApiCallsPerTenantPerMinute,
            UsageLimitKind.TenantSimulations => plan?.SimulationsPerTenantPerMinute ?? o.SimulationsPerTenantPerMinute,
            UsageLimitKind.TenantCallSetups => plan?.CallSetupsPerTenantPerMinute ?? o.CallSetupsPerTenantPerMinute,
            UsageLimitKind.CallerCalls => plan?.CallsPerCallerPerHour ?? o.CallsPerCallerPerHour,
            UsageLimitKind.UserChanges => plan?.ChangesPerUserPerMinute ?? o.ChangesPerUserPerMinute,
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }

    private async ValueTask<LimitDecision> HitAsync(string key, int limit, TimeSpan window, UsageLimitKind kind, CancellationToken ct)
    {
        if (limit <= 0)
        {
            return new LimitDecision(true, TimeSpan.Zero, kind, 0, limit);
        }

        var (count, remaining) = await counter.HitAsync(key, window, ct);
        return new LimitDecision(count <= limit, remaining, kind, count, limit);
    }

    /// <summary>A caller number for logs and the audit trail: country and network prefix and the last two digits only.</summary>
    public static string MaskNumber(string? e164) =>
        e164 is null ? "anonym" : e164.Length <= 7 ? "…" : $"{e164[..5]}…{e164[^2..]}";
}
