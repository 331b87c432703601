using Microsoft.Extensions.Options;
using StackExchange.Redis;
using VoiceAgent.Platform.Http;

namespace VoiceAgent.Platform.Cluster;

/// <summary>Redis for state shared by all instances (section <c>Redis</c>); empty means none (PostgreSQL does it all).</summary>
public sealed class RedisOptions
{
    public const string Section = "Redis";

    /// <summary>A StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6379,password=…</c>.</summary>
    public string? Configuration { get; set; }

    /// <summary>After Redis failed, how long the instance works without it before Redis is tried again.</summary>
    public TimeSpan RetryAfterFailure { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>Redis in the health report: <c>not_configured</c>, <c>operational</c> or <c>down</c>.</summary>
public interface IRedisHealth
{
    Task<string> StatusAsync(CancellationToken ct);
}

/// <summary>
/// The instance's one Redis connection (StackExchange.Redis multiplexes everything over it). Every user asks
/// <see cref="GetAsync"/> and works without Redis when it answers null — not configured, or down since a failure less
/// than <see cref="RedisOptions.RetryAfterFailure"/> ago — so an outage costs one timeout per retry period, not one per
/// request. An outage is logged once, and its end too.
/// </summary>
public sealed class RedisConnection(IOptions<RedisOptions> options, TimeProvider time, ILogger<RedisConnection> logger)
    : IRedisHealth, IAsyncDisposable
{
    private readonly SemaphoreSlim connecting = new(1, 1);
    private ConnectionMultiplexer? connection;
    private DateTimeOffset retryAt = DateTimeOffset.MinValue;
    private int down;

    public bool Configured => !string.IsNullOrWhiteSpace(options.Value.Configuration);

    /// <returns>The connected multiplexer, or null: work without Redis for now.</returns>
    public async ValueTask<IConnectionMultiplexer?> GetAsync()
    {
        if (!Configured || time.GetUtcNow() < retryAt)
        {
            return null;
        }

        try
        {
            return await ConnectAsync();
        }
        catch (Exception ex) when (IsOutage(ex))
        {
            ReportFailure(ex);
            return null;
        }
    }

    /// <summary>A Redis command failed: work without Redis until the retry time.</summary>
    public void ReportFailure(Exception ex)
    {
        retryAt = time.GetUtcNow() + options.Value.RetryAfterFailure;
        if (Interlocked.Exchange(ref down, 1) == 0)
        {
            logger.LogWarning("Redis unreachable, working without it (limits per instance, invalidation through PostgreSQL): {Message}",
                ex.Message);
        }
    }

    /// <summary>Whether an exception means Redis is unreachable (as opposed to a bug in our use of it).</summary>
    public static bool IsOutage(Exception ex) => ex is RedisException or TimeoutException or ObjectDisposedException;

    public async Task<string> StatusAsync(CancellationToken ct)
    {
        if (!Configured)
        {
            return HealthStates.NotConfigured;
        }

        try
        {
            var redis = await ConnectAsync();
            await redis.GetDatabase().PingAsync().WaitAsync(TimeSpan.FromSeconds(2), ct);
            return HealthStates.Operational;
        }
        catch (Exception ex) when (IsOutage(ex) || ex is OperationCanceledException)
        {
            ReportFailure(ex);
            return HealthStates.Down;
        }
    }

    private async Task<ConnectionMultiplexer> ConnectAsync()
    {
        if (connection is { IsConnected: true } open)
        {
            Recovered();
            return open;
        }

        await connecting.WaitAsync();
        try
        {
            if (connection is null)
            {
                var config = ConfigurationOptions.Parse(options.Value.Configuration!);
                config.AbortOnConnectFail = false;
                config.ConnectTimeout = 2000;
                config.SyncTimeout = 2000;
                config.AsyncTimeout = 2000;
                connection = await ConnectionMultiplexer.ConnectAsync(config);
            }

            if (!connection.IsConnected)
            {
                throw new TimeoutException("Redis is not connected.");
            }

            Recovered();
            return connection;
        }
        finally
        {
            connecting.Release();
        }
    }

    private void Recovered()
    {
        if (Interlocked.Exchange(ref down, 0) == 1)
        {
            logger.LogInformation("Redis reachable again");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (connection is not null)
        {
            await connection.DisposeAsync();
        }
    }
}
