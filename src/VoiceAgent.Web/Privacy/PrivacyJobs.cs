using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Jobs;

namespace VoiceAgent.Web.Privacy;

/// <summary>
/// The daily data protection jobs: transcripts (flow sessions, with their recorded turns and variables) older than each
/// tenant's retention are deleted, and tenants whose contract ended long enough ago lose their data (see <see cref="TenantPrivacy"/>).
/// Each tenant runs in its own transaction; the audit log gets counts, never content.
/// </summary>
public sealed class PrivacyJobs(VoiceAgentDb db, TenantPrivacy tenants, TimeProvider time, ILogger<PrivacyJobs> logger)
{
    public const string RetentionJobId = "privacy-transcript-retention";
    public const string DeletionJobId = "privacy-contract-end-deletion";
    public const string RetentionAction = "privacy.retention_applied";

    /// <summary>Returns the number of transcripts deleted across all tenants.</summary>
    public async Task<int> ApplyRetentionAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var all = await db.InScopeAsync(s => s.UsePlatform(), () => db.Tenants.AsNoTracking()
            .Select(t => new { t.Id, t.TranscriptRetentionDays }).ToListAsync(ct), ct);
        var total = 0;
        foreach (var tenant in all)
        {
            total += await db.InScopeAsync(s => s.UseTenant(tenant.Id), async () =>
            {
                var cutoff = now.AddDays(-tenant.TranscriptRetentionDays);
                var old = db.FlowSessions.Where(s => s.TenantId == tenant.Id && s.UpdatedAt < cutoff).Select(s => (Guid?)s.Id);
                await db.FlowIncidents.Where(i => i.TenantId == tenant.Id && old.Contains(i.SessionId)).ExecuteDeleteAsync(ct);
                var deleted = await db.FlowSessions.Where(s => s.TenantId == tenant.Id && s.UpdatedAt < cutoff).ExecuteDeleteAsync(ct);
                if (deleted > 0)
                {
                    db.Record(time, Actor.System, RetentionAction, tenant.Id,
                        $"{deleted} transcripts older than {tenant.TranscriptRetentionDays} days deleted (before {cutoff:yyyy-MM-dd})");
                    await db.SaveChangesAsync(ct);
                }

                return deleted;
            }, ct);
        }

        if (total > 0)
        {
            logger.LogInformation("Transcript retention deleted {Count} transcripts", total);
        }

        return total;
    }

    /// <summary>Deletes the data of every tenant whose contract end is due; returns how many tenants.</summary>
    public async Task<int> DeleteEndedContractsAsync(CancellationToken ct)
    {
        var due = await db.InScopeAsync(s => s.UsePlatform(), () => tenants.DueForDeletionAsync(ct), ct);
        var done = 0;
        foreach (var id in due)
        {
            var deletion = await db.InScopeAsync(s => s.UsePlatform(), () => tenants.DeleteDataAsync(id, Actor.System, ct), ct);
            done += deletion is null ? 0 : 1;
        }

        return done;
    }
}

internal sealed class PrivacyRecurringJobs(IOptions<PrivacyOptions> options) : IRecurringJobs
{
    public void Register(IRecurringJobManager recurring)
    {
        if (!options.Value.RunJobs)
        {
            recurring.RemoveIfExists(PrivacyJobs.RetentionJobId);
            recurring.RemoveIfExists(PrivacyJobs.DeletionJobId);
            return;
        }

        // At night, business time (calls are rare), a few minutes apart.
        var zone = new RecurringJobOptions { TimeZone = VoiceAgent.Platform.BusinessTime.ZoneInfo };
        recurring.AddOrUpdate<PrivacyJobs>(PrivacyJobs.RetentionJobId, j => j.ApplyRetentionAsync(CancellationToken.None), "15 3 * * *", zone);
        recurring.AddOrUpdate<PrivacyJobs>(PrivacyJobs.DeletionJobId, j => j.DeleteEndedContractsAsync(CancellationToken.None), "45 3 * * *", zone);
    }
}
