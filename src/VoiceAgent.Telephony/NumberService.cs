using Microsoft.EntityFrameworkCore;
using Npgsql;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Numbers;
using VoiceAgent.Platform.Resources;
using VoiceAgent.Platform.Tenancy;

namespace VoiceAgent.Telephony;

/// <summary>
/// Binds phone numbers to a tenant's flows. Only normalized E.164 is stored; a number is active for one tenant at a
/// time (unique index across all tenants), so a bind that another tenant holds fails — and is audited.
/// Re-assignment is release, then bind; released bindings stay as history.
/// </summary>
public sealed class NumberService(VoiceAgentDb db, TimeProvider time)
{
    public async Task<Outcome<PhoneNumber>> ConnectAsync(Guid tenantId, string? input, string? region, string? provider, Guid flowId, Actor actor,
        CancellationToken ct = default)
    {
        var normalized = await NormalizeAsync(tenantId, input, region, ct);
        if (normalized.Kind != OutcomeKind.Ok)
        {
            return new Outcome<PhoneNumber>(normalized.Kind, Errors: normalized.Errors);
        }

        provider = string.IsNullOrEmpty(provider) ? Providers.Twilio : provider.ToLowerInvariant();
        if (provider is not (Providers.Twilio or Providers.Sipgate))
        {
            return Outcome<PhoneNumber>.Invalid("provider", Texts.Get("Numbers.InvalidProvider"));
        }

        if (!await db.Flows.AnyAsync(f => f.Id == flowId && f.TenantId == tenantId, ct))
        {
            return Outcome<PhoneNumber>.Invalid("flowId", Texts.Get("Numbers.UnknownFlow"));
        }

        var number = normalized.Value!;
        if (await db.PhoneNumbers.AnyAsync(n => n.Number == number && n.ReleasedAt == null, ct))
        {
            return Outcome<PhoneNumber>.Conflict(Texts.Get("Numbers.AlreadyBoundHere"));
        }

        var binding = new PhoneNumber
        {
            Id = Guid.CreateVersion7(time.GetUtcNow()),
            TenantId = tenantId,
            Number = number,
            Provider = provider,
            FlowId = flowId,
            BoundAt = time.GetUtcNow(),
            BoundBy = actor.Email,
        };

        // Another tenant's active binding is invisible here (row-level security) but the unique index sees it.
        var transaction = db.Database.CurrentTransaction;
        if (transaction is not null)
        {
            await transaction.CreateSavepointAsync("bind", ct);
        }

        db.PhoneNumbers.Add(binding);
        db.Record(time, actor, AuditActions.NumberBound, tenantId, $"{number} ({provider})");
        try
        {
            await db.SaveChangesAsync(ct);
            return Outcome<PhoneNumber>.Ok(binding);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            db.ChangeTracker.Clear();
            if (transaction is not null)
            {
                await transaction.RollbackToSavepointAsync("bind", ct);
            }

            db.Record(time, actor, AuditActions.NumberBindRefused, tenantId, number);
            await db.SaveChangesAsync(ct);
            return Outcome<PhoneNumber>.Conflict(Texts.Get("Numbers.TakenByOtherTenant"));
        }
    }

    /// <summary>
    /// The number in E.164 under our DACH policy (premium, emergency and other unroutable numbers refused), or the field
    /// error under "region" or "number". National forms ("030 …") are read in <paramref name="region"/>, else in the
    /// tenant's own country.
    /// </summary>
    public async Task<Outcome<string>> NormalizeAsync(Guid tenantId, string? input, string? region, CancellationToken ct = default)
    {
        NumberRegion? parsedRegion = null;
        if (!string.IsNullOrEmpty(region))
        {
            if (!PhoneNumbers.TryParseRegion(region, out var r))
            {
                return Outcome<string>.Invalid("region", Texts.Get("Numbers.InvalidRegion"));
            }

            parsedRegion = r;
        }
        else if (await db.Tenants.Where(t => t.Id == tenantId).Select(t => t.Country).SingleOrDefaultAsync(ct) is { } country
                 && PhoneNumbers.TryParseRegion(country, out var tenantRegion))
        {
            parsedRegion = tenantRegion;
        }

        var normalized = PhoneNumbers.Normalize(input, parsedRegion);
        return normalized.IsValid ? Outcome<string>.Ok(normalized.E164!) : Outcome<string>.Invalid("number", normalized.Error!);
    }

    public async Task<Outcome<PhoneNumber>> ReleaseAsync(Guid tenantId, Guid numberId, Actor actor, CancellationToken ct = default)
    {
        var binding = await db.PhoneNumbers.SingleOrDefaultAsync(n => n.Id == numberId && n.TenantId == tenantId, ct);
        if (binding is null)
        {
            return Outcome<PhoneNumber>.NotFound();
        }

        if (binding.ReleasedAt is not null)
        {
            return Outcome<PhoneNumber>.Conflict(Texts.Get("Numbers.AlreadyReleased"));
        }

        binding.ReleasedAt = time.GetUtcNow();
        binding.ReleasedBy = actor.Email;
        db.Record(time, actor, AuditActions.NumberReleased, tenantId, binding.Number);
        await db.SaveChangesAsync(ct);
        return Outcome<PhoneNumber>.Ok(binding);
    }

    /// <summary>Points an active number at another of the tenant's flows.</summary>
    public async Task<Outcome<PhoneNumber>> RepointAsync(Guid tenantId, Guid numberId, Guid flowId, Actor actor, CancellationToken ct = default)
    {
        var binding = await db.PhoneNumbers.SingleOrDefaultAsync(n => n.Id == numberId && n.TenantId == tenantId && n.ReleasedAt == null, ct);
        if (binding is null)
        {
            return Outcome<PhoneNumber>.NotFound();
        }

        if (!await db.Flows.AnyAsync(f => f.Id == flowId && f.TenantId == tenantId, ct))
        {
            return Outcome<PhoneNumber>.Invalid("flowId", Texts.Get("Numbers.UnknownFlow"));
        }

        binding.FlowId = flowId;
        db.Record(time, actor, AuditActions.NumberRepointed, tenantId, binding.Number);
        await db.SaveChangesAsync(ct);
        return Outcome<PhoneNumber>.Ok(binding);
    }
}
