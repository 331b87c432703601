using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Cluster;
using VoiceAgent.Platform.Data;

namespace VoiceAgent.Platform.Security;

/// <summary>Provider credentials, encrypted at rest with Data Protection; readers outside this class only see hints.</summary>
public sealed class SettingsStore(VoiceAgentDb db, IDataProtectionProvider protection, TimeProvider time, SettingsCache cache,
    IClusterEvents events)
{
    private readonly IDataProtector protector = protection.CreateProtector("VoiceAgent.ProviderSettings.v1");

    public async Task<IReadOnlyDictionary<string, string>> HintsAsync(CancellationToken ct = default) =>
        await db.ProviderSettings.AsNoTracking().ToDictionaryAsync(s => s.Key, s => s.Hint, ct);

    /// <summary>The decrypted value (cached for <see cref="SettingsCache.Lifetime"/>); null when not set.</summary>
    public Task<string?> GetAsync(string key, CancellationToken ct = default) =>
        cache.GetOrLoadAsync(CacheKey(key), async () =>
        {
            var row = await db.ProviderSettings.AsNoTracking().SingleOrDefaultAsync(s => s.Key == key, ct);
            return row is null ? null : protector.Unprotect(row.ProtectedValue);
        });

    private static string CacheKey(string key) => "setting:" + key;

    public async Task SetAsync(string key, string value, Actor actor, CancellationToken ct = default)
    {
        var definition = ProviderKeys.Find(key) ?? throw new ArgumentException($"Unknown setting '{key}'.", nameof(key));
        var hint = definition.Secret ? SecretHint.For(value) : value.Length <= 40 ? value : SecretHint.For(value);
        var row = await db.ProviderSettings.SingleOrDefaultAsync(s => s.Key == key, ct);
        if (row is null)
        {
            row = new ProviderSetting { Key = key, ProtectedValue = "", Hint = "" };
            db.ProviderSettings.Add(row);
        }

        row.ProtectedValue = protector.Protect(value);
        row.Hint = hint;
        row.UpdatedAt = time.GetUtcNow();
        row.UpdatedBy = actor.Email;
        db.Record(time, actor, AuditActions.SettingChanged, null, $"{key} = {hint}");
        await db.SaveChangesAsync(ct);
        await events.PublishAsync(db, SettingsCache.Topic, CacheKey(key), ct);
    }

    public async Task<bool> ClearAsync(string key, Actor actor, CancellationToken ct = default)
    {
        var row = await db.ProviderSettings.SingleOrDefaultAsync(s => s.Key == key, ct);
        if (row is null)
        {
            return false;
        }

        db.ProviderSettings.Remove(row);
        db.Record(time, actor, AuditActions.SettingCleared, null, key);
        await db.SaveChangesAsync(ct);
        await events.PublishAsync(db, SettingsCache.Topic, CacheKey(key), ct);
        return true;
    }
}
