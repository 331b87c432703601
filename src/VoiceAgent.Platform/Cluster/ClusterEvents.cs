using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using StackExchange.Redis;
using VoiceAgent.Platform.Data;

namespace VoiceAgent.Platform.Cluster;

/// <summary>
/// Invalidation across instances: a change (a setting, a tenant's plan, Twilio accounts, …) is announced under a topic
/// with a key, and every instance — this one included — runs the handlers subscribed to that topic, which drop what they
/// cached. The key <see cref="All"/> means "everything of the topic" (sent after a listener lost its connection, since it
/// may have missed announcements). Caches keep their lifetimes as the safety net; the announcements make changes
/// visible everywhere at once instead of after the lifetime.
/// </summary>
public interface IClusterEvents
{
    /// <summary>Announces a change made in <paramref name="db"/>'s unit of work (see <see cref="ClusterEvents"/>).</summary>
    Task PublishAsync(VoiceAgentDb db, string topic, string key, CancellationToken ct = default);

    /// <summary>Runs <paramref name="handler"/> with the key of every announcement on <paramref name="topic"/>.</summary>
    IDisposable Subscribe(string topic, Action<string> handler);
}

/// <summary>
/// Two transports, both listened to by every instance: PostgreSQL <c>NOTIFY</c>, sent in the publisher's own transaction
/// — delivered at its commit, never for a rollback — and, when Redis is configured, Redis pub/sub (at once; the way
/// through where <c>LISTEN</c> cannot work, e.g. behind a transaction-pooling PgBouncer). The local handlers run at once,
/// and again when the announcement comes back at commit, so nothing reloads the old value between save and commit for
/// longer than that. Handlers must be cheap and idempotent (drop an entry).
/// </summary>
public sealed class ClusterEvents(RedisConnection redis, ILogger<ClusterEvents> logger) : IClusterEvents
{
    public const string All = "*";
    internal const string PostgresChannel = "voiceagent_events";
    internal static readonly RedisChannel RedisEventsChannel = RedisChannel.Literal("voiceagent:events");

    private readonly ConcurrentDictionary<string, ImmutableArray<Action<string>>> handlers = new(StringComparer.Ordinal);

    private sealed record Message(string T, string K);

    public async Task PublishAsync(VoiceAgentDb db, string topic, string key, CancellationToken ct = default)
    {
        Deliver(topic, key);
        var payload = JsonSerializer.Serialize(new Message(topic, key));
        await db.Database.ExecuteSqlAsync($"SELECT pg_notify({PostgresChannel}, {payload})", ct);
        if (await redis.GetAsync() is { } connection)
        {
            try
            {
                await connection.GetSubscriber().PublishAsync(RedisEventsChannel, payload);
            }
            catch (Exception ex) when (RedisConnection.IsOutage(ex))
            {
                redis.ReportFailure(ex);
            }
        }
    }

    public IDisposable Subscribe(string topic, Action<string> handler)
    {
        handlers.AddOrUpdate(topic, [handler], (_, list) => list.Add(handler));
        return new Subscription(() => handlers.AddOrUpdate(topic, [], (_, list) => list.Remove(handler)));
    }

    /// <summary>An announcement from a transport (JSON <c>{ t, k }</c>); malformed ones are logged and dropped.</summary>
    internal void Receive(string? payload)
    {
        try
        {
            if (payload is not null && JsonSerializer.Deserialize<Message>(payload) is { T: { } topic, K: { } key })
            {
                Deliver(topic, key);
            }
        }
        catch (JsonException)
        {
            logger.LogWarning("Ignored a malformed cluster event");
        }
    }

    /// <summary>After a gap in listening: every topic's caches are dropped, since announcements may have been missed.</summary>
    internal void DeliverAll()
    {
        foreach (var topic in handlers.Keys)
        {
            Deliver(topic, All);
        }
    }

    private void Deliver(string topic, string key)
    {
        if (!handlers.TryGetValue(topic, out var list))
        {
            return;
        }

        foreach (var handler in list)
        {
            try
            {
                handler(key);
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Cluster event handler for {Topic} failed", topic);
            }
        }
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                dispose();
            }
        }
    }
}

/// <summary>
/// Listens for <see cref="ClusterEvents"/> announcements: one PostgreSQL connection with <c>LISTEN</c> for the instance's
/// life (re-established after a database outage, then every cache is dropped), and the Redis subscription when Redis is
/// configured (StackExchange.Redis restores it after reconnects; tried again while Redis is down).
/// </summary>
public sealed class ClusterEventsListener(ClusterEvents events, NpgsqlDataSource dataSource, RedisConnection redis, TimeProvider time,
    ILogger<ClusterEventsListener> logger) : BackgroundService
{
    /// <summary>How long a quiet LISTEN connection waits before it proves it is still alive with a round trip.</summary>
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(2);

    private readonly TaskCompletionSource listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IConnectionMultiplexer? subscribed;

    /// <summary>Completes once PostgreSQL LISTEN is active (and the Redis subscription, when Redis was reachable).</summary>
    public Task Listening => listening.Task;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Task.Run(() => ListenToPostgresAsync(stoppingToken), stoppingToken), Task.Run(() => ListenToRedisAsync(stoppingToken), stoppingToken));

    private async Task ListenToPostgresAsync(CancellationToken ct)
    {
        var gap = false;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(ct);
                connection.Notification += (_, e) => events.Receive(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {ClusterEvents.PostgresChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(ct);
                }

                if (gap)
                {
                    logger.LogInformation("Listening for cluster events again; caches dropped");
                    ClearPools();
                    events.DeliverAll();
                }

                gap = false;
                await EnsureRedisSubscriptionAsync();
                listening.TrySetResult();
                while (!ct.IsCancellationRequested)
                {
                    if (!await connection.WaitAsync(KeepAlive, ct))
                    {
                        await using var ping = new NpgsqlCommand("SELECT 1", connection);
                        await ping.ExecuteScalarAsync(ct);
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException or IOException or TimeoutException
                                           or InvalidOperationException)
            {
                if (!gap)
                {
                    logger.LogWarning("Cluster events: PostgreSQL LISTEN lost, retrying: {Message}", ex.Message);
                    // PostgreSQL restarted or failed over: the pooled idle connections are dead too. Dropped now, so requests
                    // open fresh ones instead of failing one by one on each stale connection once the server is back.
                    ClearPools();
                }

                gap = true;
                await Task.Delay(Retry, time, ct).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private void ClearPools()
    {
        dataSource.Clear();
        NpgsqlConnection.ClearAllPools();
    }

    private async Task ListenToRedisAsync(CancellationToken ct)
    {
        while (redis.Configured && !ct.IsCancellationRequested)
        {
            await EnsureRedisSubscriptionAsync();
            await Task.Delay(TimeSpan.FromSeconds(5), time, ct).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task EnsureRedisSubscriptionAsync()
    {
        if (await redis.GetAsync() is not { } connection || ReferenceEquals(Volatile.Read(ref subscribed), connection))
        {
            return;
        }

        try
        {
            await connection.GetSubscriber().SubscribeAsync(ClusterEvents.RedisEventsChannel, (_, message) => events.Receive(message));
            Volatile.Write(ref subscribed, connection);
        }
        catch (Exception ex) when (RedisConnection.IsOutage(ex))
        {
            redis.ReportFailure(ex);
        }
    }
}
