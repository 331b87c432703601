using StackExchange.Redis;
using VoiceAgent.Platform.Cluster;

namespace VoiceAgent.Platform.Http;

/// <summary>
/// Fixed windows counted in Redis, so every instance sees the same counts: one Lua script increments the window's key
/// and sets its expiry on the first hit (INCR + PEXPIRE, atomic). Window keys carry the window's number, aligned to the
/// clock as <see cref="LocalRateCounter"/>'s are. While Redis cannot be reached (<see cref="RedisConnection"/>) the
/// instance counts on its own and keeps serving.
/// </summary>
public sealed class RedisRateCounter(RedisConnection redis, LocalRateCounter local) : IRateCounter
{
    private const string Script = """
        local count = redis.call('INCR', KEYS[1])
        if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
        return count
        """;

    public async ValueTask<(long Count, TimeSpan Remaining)> HitAsync(string key, TimeSpan window, CancellationToken ct)
    {
        if (await redis.GetAsync() is not { } connection)
        {
            return await local.HitAsync(key, window, ct);
        }

        try
        {
            var ms = local.Time.GetUtcNow().ToUnixTimeMilliseconds();
            var length = (long)window.TotalMilliseconds;
            var current = ms / length;
            var remaining = (current + 1) * length - ms;
            var count = (long)await connection.GetDatabase().ScriptEvaluateAsync(Script,
                [new RedisKey($"voiceagent:rl:{key}:{current}")], [remaining + 1000]);
            return (count, TimeSpan.FromMilliseconds(remaining));
        }
        catch (Exception ex) when (RedisConnection.IsOutage(ex))
        {
            redis.ReportFailure(ex);
            return await local.HitAsync(key, window, ct);
        }
    }
}
