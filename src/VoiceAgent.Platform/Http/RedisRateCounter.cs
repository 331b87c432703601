using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace VoiceAgent.Platform.Http;

/// <summary>Redis for limits shared by all instances (section <c>Redis</c>); empty means per-instance counting.</summary>
public sealed class RedisOptions
{
    public const string Section = "Redis";

    /// <summary>A StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6379,password=…</c>.</summary>
    public string? Configuration { get; set; }

    /// <summary>After Redis failed, how long counting stays per instance before Redis is tried again.</summary>
    public TimeSpan RetryAfterFailure { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Fixed windows counted in Redis, so every instance sees the same counts: one Lua script increments the window's key
/// and sets its expiry on the first hit (INCR + PEXPIRE, atomic). Window keys carry the window's number, aligned to the
/// clock as <see cref="LocalRateCounter"/>'s are. When Redis cannot be reached the instance counts on its own (still
/// serving, logged once per outage) and tries Redis again after <see cref="RedisOptions.RetryAfterFailure"/>.
/// </summary>
public sealed class RedisRateCounter(IOptions<RedisOptions> options, LocalRateCounter local, ILogger<RedisRateCounter> logger)
    : IRateCounter, IAsyncDisposable
{
    private const string Script = """
        local count = redis.call('INCR', KEYS[1])
        if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
        return count
        """;

    private readonly SemaphoreSlim connecting = new(1, 1);
    private ConnectionMultiplexer? connection;
    private DateTimeOffset retryAt = DateTimeOffset.MinValue;

    public async ValueTask<(long Count, TimeSpan Remaining)> HitAsync(string key, TimeSpan window, CancellationToken ct)
    {
        var now = local.Time.GetUtcNow();
        if (now < retryAt)
        {
            return await local.HitAsync(key, window, ct);
        }

        try
        {
            var redis = await ConnectAsync();
            var ms = now.ToUnixTimeMilliseconds();
            var length = (long)window.TotalMilliseconds;
            var current = ms / length;
            var remaining = (current + 1) * length - ms;
            var count = (long)await redis.GetDatabase().ScriptEvaluateAsync(Script,
                [new RedisKey($"voiceagent:rl:{key}:{current}")], [remaining + 1000]);
            return (count, TimeSpan.FromMilliseconds(remaining));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            if (retryAt == DateTimeOffset.MinValue || now >= retryAt)
            {
                logger.LogWarning("Redis unreachable, rate limits count per instance for now: {Message}", ex.Message);
            }

            retryAt = now + options.Value.RetryAfterFailure;
            return await local.HitAsync(key, window, ct);
        }
    }

    private async Task<ConnectionMultiplexer> ConnectAsync()
    {
        if (connection is { IsConnected: true } open)
        {
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

            return connection.IsConnected ? connection : throw new TimeoutException("Redis is not connected.");
        }
        finally
        {
            connecting.Release();
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
