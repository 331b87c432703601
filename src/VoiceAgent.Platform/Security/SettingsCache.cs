using System.Collections.Concurrent;

namespace VoiceAgent.Platform.Security;

/// <summary>
/// Decrypted provider credentials kept for a few seconds per process, because every provider webhook needs them (a
/// database round trip and a decryption per request otherwise). A change made through this process takes effect at
/// once; one made on another instance within <see cref="Lifetime"/>.
/// </summary>
public sealed class SettingsCache(TimeProvider time)
{
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
