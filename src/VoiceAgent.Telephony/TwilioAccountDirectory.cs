using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using VoiceAgent.Platform.Cluster;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Security;

namespace VoiceAgent.Telephony;

/// <summary>A tenant's own Twilio account as the webhook signature check needs it (token still ciphertext).</summary>
public sealed record OwnTwilioAccount(string AccountSid, Guid TenantId, string ProtectedAuthToken);

/// <summary>
/// All tenants' own Twilio accounts by AccountSid, read in one query and kept for <see cref="SettingsCache.Lifetime"/>
/// (a change applies at once on every instance: it is announced under <see cref="Topic"/>). Webhooks carry any
/// AccountSid the sender likes; looking each one up would let unsigned requests cost a query each. At most one load runs
/// at a time, and it runs in its own scope, so the request's unit of work never gets platform scope.
/// </summary>
public sealed class TwilioAccountDirectory
{
    public const string Topic = "twilio-accounts";

    private readonly IServiceScopeFactory scopes;
    private readonly TimeProvider time;

    public TwilioAccountDirectory(IServiceScopeFactory scopes, TimeProvider time, IClusterEvents events)
    {
        this.scopes = scopes;
        this.time = time;
        events.Subscribe(Topic, _ => Invalidate());
    }

    private readonly SemaphoreSlim loading = new(1, 1);
    private (IReadOnlyDictionary<string, OwnTwilioAccount> Accounts, DateTimeOffset Expires)? snapshot;
    private int generation;

    public async Task<OwnTwilioAccount?> FindAsync(string accountSid, CancellationToken ct)
    {
        var accounts = Fresh() ?? await LoadAsync(ct);
        return accounts.GetValueOrDefault(accountSid);
    }

    public void Invalidate()
    {
        Interlocked.Increment(ref generation);
        snapshot = null;
    }

    private IReadOnlyDictionary<string, OwnTwilioAccount>? Fresh() =>
        snapshot is { } s && s.Expires > time.GetUtcNow() ? s.Accounts : null;

    private async Task<IReadOnlyDictionary<string, OwnTwilioAccount>> LoadAsync(CancellationToken ct)
    {
        await loading.WaitAsync(ct);
        try
        {
            if (Fresh() is { } loaded)
            {
                return loaded;
            }

            var loadedGeneration = Volatile.Read(ref generation);
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
            var rows = await db.InScopeAsync(s => s.UsePlatform(), () => db.TenantTwilioAccounts.AsNoTracking()
                .Select(a => new OwnTwilioAccount(a.AccountSid, a.TenantId, a.ProtectedAuthToken)).ToListAsync(ct), ct);
            var accounts = rows.ToDictionary(a => a.AccountSid, StringComparer.Ordinal);
            if (loadedGeneration == Volatile.Read(ref generation))
            {
                snapshot = (accounts, time.GetUtcNow() + SettingsCache.Lifetime);
            }

            return accounts;
        }
        finally
        {
            loading.Release();
        }
    }
}
