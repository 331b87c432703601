using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Identity;
using VoiceAgent.Platform.Security;
using VoiceAgent.Platform.Tenancy;

namespace VoiceAgent.Platform.Data;

/// <summary>
/// The application's unit of work. The schema is owned by the SQL migrations in Data/Migrations; this model only maps it.
/// Global query filters scope tenant-owned sets to <see cref="DbScope"/>; PostgreSQL row-level security backs them up.
/// </summary>
public sealed class VoiceAgentDb(DbContextOptions<VoiceAgentDb> options, DbScope scope)
    : IdentityUserContext<AppUser, Guid>(options)
{
    public DbSet<Tenant> Tenants => Set<Tenant>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<ProviderSetting> ProviderSettings => Set<ProviderSetting>();

    public DbScope Scope => scope;

    // Query filters must read context members (not captured locals) so EF re-evaluates them per context instance.
    private Guid? CurrentTenantId => scope.TenantId;
    private bool IsPlatformScope => scope.IsPlatform;

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);

        builder.Entity<AppUser>(e =>
        {
            e.ToTable("users");
            e.Property(u => u.Role).HasConversion<string>();
            e.HasQueryFilter(u => IsPlatformScope || u.TenantId == CurrentTenantId);
        });
        builder.Entity<IdentityUserClaim<Guid>>().ToTable("user_claims");
        builder.Entity<IdentityUserLogin<Guid>>().ToTable("user_logins");
        builder.Entity<IdentityUserToken<Guid>>().ToTable("user_tokens");

        builder.Entity<Tenant>(e =>
        {
            e.ToTable("tenants");
            e.Property(t => t.Status).HasConversion(s => s.ToApi(), s => Enum.Parse<TenantStatus>(s, true));
            e.HasQueryFilter(t => IsPlatformScope || t.Id == CurrentTenantId);
        });

        builder.Entity<AuditEntry>(e =>
        {
            e.ToTable("audit_entries");
            e.HasQueryFilter(a => IsPlatformScope || a.TenantId == CurrentTenantId);
        });

        builder.Entity<ProviderSetting>(e =>
        {
            e.ToTable("provider_settings");
            e.HasKey(s => s.Key);
        });

        foreach (var entity in builder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(ToSnakeCase(property.Name));
            }
        }
    }

    internal static string ToSnakeCase(string name)
    {
        var sb = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c) && i > 0)
            {
                sb.Append('_');
            }

            sb.Append(char.ToLowerInvariant(c));
        }

        return sb.ToString();
    }
}
