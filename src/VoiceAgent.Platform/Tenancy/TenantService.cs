using System.Globalization;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Email;
using VoiceAgent.Platform.Identity;
using VoiceAgent.Platform.Resources;

namespace VoiceAgent.Platform.Tenancy;

/// <summary>Registration, approval life cycle and the tenant's users. Every change is audited.</summary>
public sealed class TenantService(VoiceAgentDb db, UserManager<AppUser> users, MailOutbox mails, TimeProvider time)
{
    public const int MaxUsersPerTenant = 2;

    private static readonly CultureInfo MailCulture = CultureInfo.GetCultureInfo("de-DE");

    public async Task<Outcome<Tenant>> RegisterAsync(RegistrationRequest request, CancellationToken ct = default)
    {
        var errors = RegistrationValidator.Validate(request, out var r);
        if (errors.Count > 0)
        {
            return Outcome<Tenant>.Invalid(errors);
        }

        var now = time.GetUtcNow();
        var tenant = new Tenant
        {
            Id = Guid.CreateVersion7(now),
            CompanyName = r.CompanyName!,
            ContactPerson = r.ContactPerson!,
            Email = r.Email!,
            Street = r.Street!,
            HouseNumber = r.HouseNumber!,
            PostalCode = r.PostalCode!,
            City = r.City!,
            Country = r.Country!,
            Phone = r.Phone!,
            TaxNumber = r.TaxNumber,
            VatId = r.VatId,
            Website = r.Website,
            Industry = r.Industry,
            Status = TenantStatus.Pending,
            CreatedAt = now,
            StatusChangedAt = now,
        };

        // A new tenant's rows are written in its own tenant scope: no platform rights are needed to register.
        var outcome = await db.InScopeAsync(s => s.UseTenant(tenant.Id), async () =>
        {
            if (await EmailInUseAsync(r.Email!, ct))
            {
                return Outcome<Tenant>.Invalid("email", Texts.Get("Validation.EmailInUse"));
            }

            db.Tenants.Add(tenant);
            await db.SaveChangesAsync(ct);
            var created = await CreateUserAsync(tenant.Id, r.Email!, r.Password!, UserRole.TenantAdmin, r.ContactPerson!);
            if (created.Kind != OutcomeKind.Ok)
            {
                throw new RollbackException(created.Errors!);
            }

            db.Record(time, new Actor(created.Value!.Id, created.Value.Email), AuditActions.TenantRegistered, tenant.Id,
                $"{tenant.CompanyName} ({tenant.Country})");
            await db.SaveChangesAsync(ct);
            return Outcome<Tenant>.Ok(tenant);
        }, ct).Catch(db);

        return outcome;
    }

    public Task<Outcome<Tenant>> ApproveAsync(Guid tenantId, Actor actor, CancellationToken ct = default) =>
        TransitionAsync(tenantId, actor, TenantStatus.Approved, [TenantStatus.Pending, TenantStatus.Rejected],
            AuditActions.TenantApproved, reason: null, "Mail.Approved", ct);

    public Task<Outcome<Tenant>> RejectAsync(Guid tenantId, Actor actor, string? reason, CancellationToken ct = default) =>
        TransitionAsync(tenantId, actor, TenantStatus.Rejected, [TenantStatus.Pending],
            AuditActions.TenantRejected, reason, "Mail.Rejected", ct);

    public Task<Outcome<Tenant>> SuspendAsync(Guid tenantId, Actor actor, string? reason, CancellationToken ct = default) =>
        TransitionAsync(tenantId, actor, TenantStatus.Suspended, [TenantStatus.Approved],
            AuditActions.TenantSuspended, reason, "Mail.Suspended", ct);

    public Task<Outcome<Tenant>> ReactivateAsync(Guid tenantId, Actor actor, CancellationToken ct = default) =>
        TransitionAsync(tenantId, actor, TenantStatus.Approved, [TenantStatus.Suspended],
            AuditActions.TenantReactivated, reason: null, "Mail.Reactivated", ct);

    private async Task<Outcome<Tenant>> TransitionAsync(Guid tenantId, Actor actor, TenantStatus target, TenantStatus[] from,
        string action, string? reason, string mailKey, CancellationToken ct)
    {
        var requiresReason = target is TenantStatus.Rejected or TenantStatus.Suspended;
        reason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
        if (requiresReason && reason is null)
        {
            return Outcome<Tenant>.Invalid("reason", Texts.Get("Validation.ReasonRequired"));
        }

        if (reason is { Length: > 1000 })
        {
            return Outcome<Tenant>.Invalid("reason", Texts.Format("Validation.MaxLength", 1000));
        }

        var tenant = await db.Tenants
            .FromSqlInterpolated($"SELECT * FROM tenants WHERE id = {tenantId} FOR UPDATE")
            .SingleOrDefaultAsync(ct);
        if (tenant is null)
        {
            return Outcome<Tenant>.NotFound();
        }

        if (!from.Contains(tenant.Status))
        {
            return Outcome<Tenant>.Conflict(Texts.Format("Tenant.TransitionNotAllowed", Texts.Get("Status." + tenant.Status.ToApi())));
        }

        var previous = tenant.Status;
        tenant.Status = target;
        tenant.StatusReason = reason;
        tenant.StatusChangedAt = time.GetUtcNow();
        db.Record(time, actor, action, tenant.Id, $"{previous.ToApi()} → {target.ToApi()}", reason);
        if (action == AuditActions.TenantApproved && !await db.SetupWizards.IgnoreQueryFilters().AnyAsync(w => w.TenantId == tenant.Id, ct))
        {
            // A newly approved tenant's admins start in the setup wizard (issue #15).
            db.SetupWizards.Add(new SetupWizardState { TenantId = tenant.Id, UpdatedAt = time.GetUtcNow() });
        }

        // The mail is stored with the change and sent after commit: a rolled-back change mails nobody.
        Notify(tenant, mailKey, reason);
        await db.SaveChangesAsync(ct);
        return Outcome<Tenant>.Ok(tenant);
    }

    public async Task<Outcome<AppUser>> AddUserAsync(Guid tenantId, Actor actor, string? email, string? password, string? role,
        CancellationToken ct = default)
    {
        var errors = new Dictionary<string, string[]>();
        email = email?.Trim().ToLowerInvariant();
        var probe = new RegistrationRequest { Email = email, Password = password };
        foreach (var (field, messages) in RegistrationValidator.Validate(probe, out _, step: 1))
        {
            if (field is "email" or "password")
            {
                errors[field] = messages;
            }
        }

        if (!Enum.TryParse<UserRole>(role, ignoreCase: true, out var parsedRole) || parsedRole == UserRole.SuperAdmin
            || int.TryParse(role, out _))
        {
            errors["role"] = [Texts.Get("Validation.Role")];
        }

        if (errors.Count > 0)
        {
            return Outcome<AppUser>.Invalid(errors);
        }

        // The tenant row lock serialises concurrent additions, so the count below cannot be raced past the limit.
        var tenant = await db.Tenants
            .FromSqlInterpolated($"SELECT * FROM tenants WHERE id = {tenantId} FOR UPDATE")
            .SingleOrDefaultAsync(ct);
        if (tenant is null)
        {
            return Outcome<AppUser>.NotFound();
        }

        var count = await db.Users.CountAsync(u => u.TenantId == tenantId, ct);
        if (count >= MaxUsersPerTenant)
        {
            return Outcome<AppUser>.Conflict(Texts.Format("Users.LimitReached", MaxUsersPerTenant));
        }

        if (await EmailInUseAsync(email!, ct))
        {
            return Outcome<AppUser>.Invalid("email", Texts.Get("Validation.EmailInUse"));
        }

        var created = await CreateUserAsync(tenantId, email!, password!, parsedRole, email!);
        if (created.Kind == OutcomeKind.Ok)
        {
            db.Record(time, actor, AuditActions.UserAdded, tenantId, $"{email} ({parsedRole})");
            await db.SaveChangesAsync(ct);
        }

        return created;
    }

    public async Task<Outcome<AppUser>> RemoveUserAsync(Guid tenantId, Guid userId, Actor actor, CancellationToken ct = default)
    {
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == userId && u.TenantId == tenantId, ct);
        if (user is null)
        {
            return Outcome<AppUser>.NotFound();
        }

        if (user.Id == actor.Id)
        {
            return Outcome<AppUser>.Conflict(Texts.Get("Users.CannotRemoveSelf"));
        }

        if (user.Role == UserRole.TenantAdmin
            && !await db.Users.AnyAsync(u => u.TenantId == tenantId && u.Id != userId && u.Role == UserRole.TenantAdmin, ct))
        {
            return Outcome<AppUser>.Conflict(Texts.Get("Users.LastAdmin"));
        }

        db.Users.Remove(user);
        db.Record(time, actor, AuditActions.UserRemoved, tenantId, user.Email);
        await db.SaveChangesAsync(ct);
        return Outcome<AppUser>.Ok(user);
    }

    private async Task<Outcome<AppUser>> CreateUserAsync(Guid? tenantId, string email, string password, UserRole role, string displayName)
    {
        var user = new AppUser
        {
            Id = Guid.CreateVersion7(time.GetUtcNow()),
            TenantId = tenantId,
            Role = role,
            UserName = email,
            Email = email,
            DisplayName = displayName,
            CreatedAt = time.GetUtcNow(),
            LockoutEnabled = true,
        };
        var result = await users.CreateAsync(user, password);
        if (result.Succeeded)
        {
            return Outcome<AppUser>.Ok(user);
        }

        var field = result.Errors.Any(e => e.Code.Contains("Password", StringComparison.Ordinal)) ? "password" : "email";
        return Outcome<AppUser>.Invalid(new Dictionary<string, string[]> { [field] = result.Errors.Select(e => e.Description).ToArray() });
    }

    private async Task<bool> EmailInUseAsync(string email, CancellationToken ct)
    {
        var normalized = users.NormalizeEmail(email);
        return await db.Database
            .SqlQuery<bool>($"SELECT normalized_email_in_use({normalized}) AS \"Value\"")
            .SingleAsync(ct);
    }

    private void Notify(Tenant tenant, string mailKey, string? reason)
    {
        var previous = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = MailCulture;
        try
        {
            var subject = Texts.Get(mailKey + ".Subject");
            var body = Texts.Format(mailKey + ".Body", tenant.ContactPerson, tenant.CompanyName, reason ?? "");
            mails.Add(tenant.Email, subject, body);
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }
}

/// <summary>Aborts a unit of work whose transaction must not commit, carrying the field errors to report.</summary>
internal sealed class RollbackException(IReadOnlyDictionary<string, string[]> errors) : Exception("Rolled back.")
{
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;
}

internal static class RollbackExtensions
{
    /// <summary>Turns a rollback (or a lost race on a unique email) into an Invalid outcome and forgets the unsaved entities.</summary>
    public static async Task<Outcome<T>> Catch<T>(this Task<Outcome<T>> work, VoiceAgentDb db)
    {
        try
        {
            return await work;
        }
        catch (RollbackException ex)
        {
            db.ChangeTracker.Clear();
            return Outcome<T>.Invalid(ex.Errors);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            db.ChangeTracker.Clear();
            return Outcome<T>.Invalid("email", Texts.Get("Validation.EmailInUse"));
        }
    }
}
