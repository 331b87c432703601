using System.Collections.Concurrent;
using VoiceAgent.Platform.Cluster;

namespace VoiceAgent.Platform.Security;

/// <summary>
/// Decrypted provider credentials kept for a few seconds per process, because every provider webhook needs them (a
/// database round trip and a decryption per request otherwise). A change takes effect at once on every instance: the
/// store announces it (<see cref="Topic"/>, <see cref="IClusterEvents"/>); <see cref="Lifetime"/> bounds what a missed
/// announcement could leave behind.
/// </summary>
public sealed class SettingsCache
{
    public const string Topic = "settings";

    private readonly TimeProvider time;

    public SettingsCache(TimeProvider time, IClusterEvents events)
    {
        this.time = time;
        events.Subscribe(Topic, key =>
        {
            if (key == ClusterEvents.All)
            {
                entries.Clear();
            }
            else
            {
                Invalidate(key);
            }
        });
    }

    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, (object? Value, DateTimeOffset Expires)> entries = new(StringComparer.Ordinal);

    public async Task<T?> GetOrLoadAsync<T>(string key, Func<Task<T?>> load)
    {
        if (entries.TryGetValue(key, out var entry) && entry.Expires > time.GetUtcNow())
        {
            return (T?)entry.Value;
        }

        var value = await load();
        entries[key] = (value, time.GetUtcNow() + Lifetime);
        return value;
    }

    public void Invalidate(string key) => entries.TryRemove(key, out _);
}
