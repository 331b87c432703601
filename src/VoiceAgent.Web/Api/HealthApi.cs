using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using VoiceAgent.Platform.Security;
using VoiceAgent.Platform.Cluster;
using VoiceAgent.Platform.Http;

namespace VoiceAgent.Web.Api;

public static class HealthApi
{
    public const string Operational = HealthStates.Operational;
    public const string Degraded = HealthStates.Degraded;
    public const string NotConfigured = HealthStates.NotConfigured;
    public const string Down = HealthStates.Down;

    /// <summary>
    /// <c>{ status, database, scheduler, redis, providers: { stripe: { status, reason?, checkedAt? }, … } }</c>. The overall
    /// status is the worst of database, scheduler, redis (when configured) and the providers in use — except that Redis down
    /// only degrades it: every instance keeps serving without Redis (limits per instance, invalidation through PostgreSQL).
    /// </summary>
    public sealed record HealthReport(string Status, string Database, string Scheduler, string Redis,
        IReadOnlyDictionary<string, ProviderHealth> Providers);

    /// <summary>Readiness: 503 while the database or the scheduler is down (take the instance out of the load balancer).</summary>
    public const string ReadinessPath = "/api/health";

    /// <summary>Liveness: the process answers; touches neither the database nor a provider (restart only when this fails).</summary>
    public const string LivenessPath = "/api/health/live";

    /// <summary>The body of <see cref="LivenessPath"/>.</summary>
    public sealed record LivenessReport(string Status);

    public static void MapHealthApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet(ReadinessPath, GetHealth)
            .WithName("GetHealth").WithTags("Health")
            .WithMetadata(new NoTenantScopeAttribute())
            .AllowAnonymous();
        routes.MapGet(LivenessPath, GetLiveness)
            .WithName("GetLiveness").WithTags("Health")
            .WithMetadata(new NoTenantScopeAttribute())
            .AllowAnonymous();
    }

    // Container and Kubernetes liveness probes: an answer means the process is alive. A database outage must not make
    // an orchestrator restart every instance, so nothing here waits on PostgreSQL, Hangfire or a provider.
    internal static Ok<LivenessReport> GetLiveness() => TypedResults.Ok(new LivenessReport("alive"));

    // Provider keys are platform-wide and not tenant-owned; the health check reads which ones exist and their hints (for
    // the cache), never values. 503 when the database or the scheduler is down: this instance cannot do its work.
    internal static async Task<Results<Ok<HealthReport>, JsonHttpResult<HealthReport>>> GetHealth([AsParameters] HealthApiServices services,
        CancellationToken ct)
    {
        var report = await CheckAsync(services, ct);
        return report.Database == Down || report.Scheduler == Down
            ? TypedResults.Json(report, statusCode: StatusCodes.Status503ServiceUnavailable)
            : TypedResults.Ok(report);
    }

    /// <summary>
    /// The check behind /api/health, also shown as the admin dashboard's provider tiles
    /// (<see cref="Dashboards.ProviderHealthTiles"/>). Database down: every provider is reported not configured (nothing
    /// can be read), the status is down.
    /// </summary>
    public static async Task<HealthReport> CheckAsync(HealthApiServices services, CancellationToken ct)
    {
        Dictionary<string, string>? stored = null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            await using var cmd = services.DataSource.CreateCommand("SELECT key, hint, updated_at FROM provider_settings");
            await using var reader = await cmd.ExecuteReaderAsync(timeout.Token);
            stored = [];
            while (await reader.ReadAsync(timeout.Token))
            {
                stored[reader.GetString(0)] = $"{reader.GetString(1)}@{reader.GetFieldValue<DateTimeOffset>(2).ToUnixTimeMilliseconds()}";
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            stored = null;
        }

        var providers = ProviderKeys.Providers.ToDictionary(p => p, _ => new ProviderHealth(NotConfigured));
        if (stored is null)
        {
            return new HealthReport(Down, Down, NotConfigured, await services.Redis.StatusAsync(ct), providers);
        }

        var checks = ProviderKeys.Providers
            .Select(p => (Provider: p, Keys: ProviderKeys.All.Where(d => d.Provider == p && stored.ContainsKey(d.Key)).ToList()))
            .Where(p => p.Keys.Count > 0)
            .Select(async p => (p.Provider, Health: await services.Providers.StatusAsync(p.Provider,
                string.Join('|', p.Keys.Select(d => d.Key + "=" + stored[d.Key])), ct)))
            .ToList();
        foreach (var (provider, health) in await Task.WhenAll(checks))
        {
            providers[provider] = health;
        }

        var scheduler = services.Jobs.Status();
        var redis = await services.Redis.StatusAsync(ct);
        var status = HealthStates.Worst(new[] { Operational, scheduler, redis == Down ? Degraded : redis }
            .Concat(providers.Values.Select(p => p.Status)));
        return new HealthReport(status, Operational, scheduler, redis, providers);
    }
}

/// <summary>What the health check reads, bound per request with <c>[AsParameters]</c>.</summary>
public sealed record HealthApiServices(NpgsqlDataSource DataSource, ProviderHealthMonitor Providers, Platform.Jobs.JobsHealth Jobs,
    IRedisHealth Redis);
