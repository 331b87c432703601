using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Identity;
using VoiceAgent.Platform.Ports;

namespace VoiceAgent.Platform.Tenancy;

/// <summary>Super-admin creation (operator CLI) and the local development seed (a super-admin and an approved demo tenant).</summary>
public sealed class DevSeeder(VoiceAgentDb db, UserManager<AppUser> users, TenantService tenants, IEnumerable<IDemoTenantSeed> modules,
    TimeProvider time)
{
    public const string DemoTenantEmail = "demo@voiceagent.local";

    public sealed record SeededAccount(string Email, string Password, bool Created);

    public async Task<Outcome<AppUser>> CreateSuperAdminAsync(string email, string password, bool devSeeded, CancellationToken ct = default)
    {
        var errors = RegistrationValidator.Validate(new RegistrationRequest { Email = email, Password = password }, out var n, step: 1)
            .Where(e => e.Key is "email" or "password")
            .ToDictionary(e => e.Key, e => e.Value);
        if (errors.Count > 0)
        {
            return Outcome<AppUser>.Invalid(errors);
        }

        return await db.InScopeAsync(s => s.UsePlatform(), async () =>
        {
            var user = new AppUser
            {
                Id = Guid.CreateVersion7(time.GetUtcNow()),
                Role = UserRole.SuperAdmin,
                UserName = n.Email,
                Email = n.Email,
                EmailConfirmed = true,
                DisplayName = "Super-Admin",
                DevSeeded = devSeeded,
                CreatedAt = time.GetUtcNow(),
                LockoutEnabled = true,
            };
            var result = await users.CreateAsync(user, password);
            if (!result.Succeeded)
            {
                return Outcome<AppUser>.Invalid(new Dictionary<string, string[]> { ["email"] = result.Errors.Select(e => e.Description).ToArray() });
            }

            db.Record(time, new Actor(null, "cli"), AuditActions.SuperAdminCreated, null, n.Email);
            await db.SaveChangesAsync(ct);
            return Outcome<AppUser>.Ok(user);
        }, ct);
    }

    /// <summary>Seeds once; later runs keep what exists. Passwords are returned only for accounts created now.</summary>
    public async Task<IReadOnlyList<SeededAccount>> SeedDevelopmentAsync(string adminEmail, string? adminPassword, string? demoPassword,
        CancellationToken ct = default)
    {
        var seeded = new List<SeededAccount>();
        var hasSuperAdmin = await db.InScopeAsync(s => s.UsePlatform(),
            () => db.Users.AnyAsync(u => u.Role == UserRole.SuperAdmin, ct), ct);
        if (!hasSuperAdmin)
        {
            var password = adminPassword ?? RandomPassword();
            var created = await CreateSuperAdminAsync(adminEmail, password, devSeeded: true, ct);
            if (created.Kind != OutcomeKind.Ok)
            {
                throw new InvalidOperationException(string.Join(" ", created.Errors!.SelectMany(e => e.Value)));
            }

            seeded.Add(new SeededAccount(adminEmail, password, true));
        }

        var hasDemo = await db.InScopeAsync(s => s.UsePlatform(),
            () => db.Users.AnyAsync(u => u.NormalizedEmail == DemoTenantEmail.ToUpperInvariant(), ct), ct);
        if (!hasDemo)
        {
            var password = demoPassword ?? RandomPassword();
            var registered = await tenants.RegisterAsync(new RegistrationRequest
            {
                CompanyName = "Demo Praxis Dr. Muster",
                ContactPerson = "Maria Muster",
                Email = DemoTenantEmail,
                Password = password,
                Street = "Musterstraße",
                HouseNumber = "1",
                PostalCode = "10115",
                City = "Berlin",
                Country = "DE",
                Phone = "+49 30 1234567",
                VatId = "DE123456789",
                Industry = "Arztpraxis",
            }, ct);
            if (registered.Kind != OutcomeKind.Ok)
            {
                throw new InvalidOperationException(string.Join(" ", registered.Errors!.SelectMany(e => e.Value)));
            }

            await db.InScopeAsync(s => s.UsePlatform(), async () =>
            {
                await db.Users.Where(u => u.TenantId == registered.Value!.Id)
                    .ExecuteUpdateAsync(u => u.SetProperty(x => x.DevSeeded, true), ct);
                return await tenants.ApproveAsync(registered.Value!.Id, new Actor(null, "dev-seed"), ct);
            }, ct);
            foreach (var module in modules.OrderBy(m => m.Order))
            {
                await module.SeedAsync(registered.Value!.Id, ct);
            }

            seeded.Add(new SeededAccount(DemoTenantEmail, password, true));
        }

        return seeded;
    }

    public static string RandomPassword() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(15)).Replace('+', 'x').Replace('/', 'y') + "7";
}
