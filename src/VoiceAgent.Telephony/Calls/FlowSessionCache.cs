using System.Globalization;
using StackExchange.Redis;
using VoiceAgent.Platform.Cluster;

namespace VoiceAgent.Telephony.Calls;

/// <summary>
/// The hot copy of call flow sessions in Redis (issue #18), when Redis is configured. A turn on any instance takes the
/// session's state from here instead of PostgreSQL when the copy carries the row's current version (PostgreSQL's
/// <c>xmin</c>, which every write of the row changes); PostgreSQL stays the record: every turn still locks and writes
/// the row there, and a missing, stale or unreadable copy — Redis down, another writer, a rolled-back turn — only means
/// the state comes from PostgreSQL, as without Redis.
/// </summary>
public sealed class FlowSessionCache(RedisConnection redis)
{
    /// <summary>Longer than any call; a copy of an ended call just expires.</summary>
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(2);

    public bool Configured => redis.Configured;

    /// <returns>The copy (row version and state), or null: read the state from PostgreSQL.</returns>
    public async Task<(uint RowVersion, string State)?> GetAsync(Guid sessionId)
    {
        if (!redis.Configured || await redis.GetAsync() is not { } connection)
        {
            return null;
        }

        try
        {
            var value = (string?)await connection.GetDatabase().StringGetAsync(Key(sessionId));
            var cut = value?.IndexOf('\n', StringComparison.Ordinal) ?? -1;
            return cut > 0 && uint.TryParse(value.AsSpan(0, cut), NumberStyles.None, CultureInfo.InvariantCulture, out var version)
                ? (version, value![(cut + 1)..])
                : null;
        }
        catch (Exception ex) when (RedisConnection.IsOutage(ex))
        {
            redis.ReportFailure(ex);
            return null;
        }
    }

    /// <summary>Stores the state as of the given row version (written before the turn's transaction commits: if it rolls
    /// back, the row keeps its old version and this copy is never used).</summary>
    public async Task SetAsync(Guid sessionId, uint rowVersion, string state)
    {
        if (!redis.Configured || await redis.GetAsync() is not { } connection)
        {
            return;
        }

        try
        {
            await connection.GetDatabase().StringSetAsync(Key(sessionId),
                rowVersion.ToString(CultureInfo.InvariantCulture) + "\n" + state, Lifetime);
        }
        catch (Exception ex) when (RedisConnection.IsOutage(ex))
        {
            redis.ReportFailure(ex);
        }
    }

    public static RedisKey Key(Guid sessionId) => "voiceagent:flow-session:" + sessionId.ToString("N");
}
