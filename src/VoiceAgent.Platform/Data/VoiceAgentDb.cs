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
public sealed partial class VoiceAgentDb(DbContextOptions<VoiceAgentDb> options, DbScope scope)
    : IdentityUserContext<AppUser, Guid>(options)
{
    public DbSet<Tenant> Tenants => Set<Tenant>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<ProviderSetting> ProviderSettings => Set<ProviderSetting>();
    public DbSet<Flow> Flows => Set<Flow>();
    public DbSet<FlowVersion> FlowVersions => Set<FlowVersion>();
    public DbSet<FlowSession> FlowSessions => Set<FlowSession>();
    public DbSet<FlowIncident> FlowIncidents => Set<FlowIncident>();
    public DbSet<CallSettings> CallSettings => Set<CallSettings>();
    public DbSet<CalendarSettings> CalendarSettings => Set<CalendarSettings>();
    public DbSet<SandboxEvent> SandboxEvents => Set<SandboxEvent>();
    public DbSet<SandboxCalendarConfirmation> SandboxCalendarConfirmations => Set<SandboxCalendarConfirmation>();
    public DbSet<TenantPrompt> TenantPrompts => Set<TenantPrompt>();
    public DbSet<CalendarConnection> CalendarConnections => Set<CalendarConnection>();
    public DbSet<OAuthState> OAuthStates => Set<OAuthState>();
    public DbSet<CalendarBooking> CalendarBookings => Set<CalendarBooking>();
    public DbSet<PhoneNumber> PhoneNumbers => Set<PhoneNumber>();
    public DbSet<TenantTwilioAccount> TenantTwilioAccounts => Set<TenantTwilioAccount>();
    public DbSet<TenantSpeech> TenantSpeech => Set<TenantSpeech>();
    public DbSet<Call> Calls => Set<Call>();
    public DbSet<UsageRecord> UsageRecords => Set<UsageRecord>();

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

        builder.Entity<Flow>(e =>
        {
            e.ToTable("flows");
            e.HasQueryFilter(f => IsPlatformScope || f.TenantId == CurrentTenantId);
        });
        builder.Entity<FlowVersion>(e =>
        {
            e.ToTable("flow_versions");
            e.Property(v => v.Status).HasConversion(s => s.ToString().ToLowerInvariant(), s => Enum.Parse<FlowVersionStatus>(s, true));
            e.Property(v => v.Definition).HasColumnType("jsonb");
            e.HasOne<Flow>().WithMany().HasForeignKey(v => v.FlowId);
            e.HasQueryFilter(v => IsPlatformScope || v.TenantId == CurrentTenantId);
        });
        builder.Entity<FlowSession>(e =>
        {
            e.ToTable("flow_sessions");
            e.Property(v => v.State).HasColumnType("jsonb");
            e.Property(v => v.RowVersion).HasColumnName("xmin").HasColumnType("xid").ValueGeneratedOnAddOrUpdate();
            e.HasOne<Flow>().WithMany().HasForeignKey(v => v.FlowId);
            e.HasOne<FlowVersion>().WithMany().HasForeignKey(v => v.VersionId);
            e.HasQueryFilter(v => IsPlatformScope || v.TenantId == CurrentTenantId);
        });
        builder.Entity<FlowIncident>(e =>
        {
            e.ToTable("flow_incidents");
            e.HasQueryFilter(v => IsPlatformScope || v.TenantId == CurrentTenantId);
        });
        builder.Entity<CallSettings>(e =>
        {
            e.ToTable("call_settings");
            e.HasKey(c => c.TenantId);
            e.HasQueryFilter(v => IsPlatformScope || v.TenantId == CurrentTenantId);
        });
        builder.Entity<CalendarSettings>(e =>
        {
            e.ToTable("calendar_settings");
            e.HasKey(c => c.TenantId);
            e.Property(v => v.BusinessHours).HasColumnType("jsonb");
            e.HasQueryFilter(v => IsPlatformScope || v.TenantId == CurrentTenantId);
        });
        builder.Entity<SandboxEvent>(e =>
        {
            e.ToTable("sandbox_events");
            e.HasQueryFilter(v => IsPlatformScope || v.TenantId == CurrentTenantId);
        });
        builder.Entity<SandboxCalendarConfirmation>(e =>
        {
            e.ToTable("sandbox_calendar_confirmations");
            e.HasKey(c => c.TenantId);
            e.HasQueryFilter(v => IsPlatformScope || v.TenantId == CurrentTenantId);
        });
        builder.Entity<TenantPrompt>(e =>
        {
            e.ToTable("tenant_prompts");
            e.HasKey(c => c.TenantId);
            e.HasQueryFilter(v => IsPlatformScope || v.TenantId == CurrentTenantId);
        });
        builder.Entity<CalendarConnection>(e =>
        {
            e.ToTable("calendar_connections");
            e.HasQueryFilter(v => IsPlatformScope || v.TenantId == CurrentTenantId);
        });
        builder.Entity<OAuthState>(e =>
        {
            e.ToTable("oauth_states");
            e.HasKey(s => s.Nonce);
            e.HasQueryFilter(v => IsPlatformScope || v.TenantId == CurrentTenantId);
        });
        builder.Entity<CalendarBooking>(e =>
        {
            e.ToTable("calendar_bookings");
            e.HasQueryFilter(v => IsPlatformScope || v.TenantId == CurrentTenantId);
        });

        builder.Entity<TenantTwilioAccount>(e =>
        {
            e.ToTable("tenant_twilio_accounts");
            e.HasKey(a => a.TenantId);
            e.HasOne<Tenant>().WithMany().HasForeignKey(a => a.TenantId);
            e.HasQueryFilter(a => IsPlatformScope || a.TenantId == CurrentTenantId);
        });
        builder.Entity<TenantSpeech>(e =>
        {
            e.ToTable("tenant_speech");
            e.HasKey(s => s.TenantId);
            e.HasQueryFilter(s => IsPlatformScope || s.TenantId == CurrentTenantId);
        });
        builder.Entity<PhoneNumber>(e =>
        {
            e.ToTable("phone_numbers");
            e.HasOne<Flow>().WithMany().HasForeignKey(n => n.FlowId).OnDelete(DeleteBehavior.SetNull);
            e.HasQueryFilter(v => IsPlatformScope || v.TenantId == CurrentTenantId);
        });
        builder.Entity<Call>(e =>
        {
            e.ToTable("calls");
            e.HasOne<FlowSession>().WithMany().HasForeignKey(c => c.SessionId);
            e.HasOne<PhoneNumber>().WithMany().HasForeignKey(c => c.PhoneNumberId);
            e.HasOne<Flow>().WithMany().HasForeignKey(c => c.FlowId);
            e.HasQueryFilter(v => IsPlatformScope || v.TenantId == CurrentTenantId);
        });
        builder.Entity<UsageRecord>(e =>
        {
            e.ToTable("usage_records");
            e.HasOne<Call>().WithMany().HasForeignKey(u => u.CallId);
            e.HasQueryFilter(v => IsPlatformScope || v.TenantId == CurrentTenantId);
        });

        ConfigureBilling(builder);
        ConfigureSetup(builder);
        ConfigureMail(builder);
        ConfigureSignIn(builder);

        foreach (var entity in builder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                // Named explicitly (a system column such as xmin) or else by the property name in snake case.
                if (property.GetColumnName() == property.Name)
                {
                    property.SetColumnName(ToSnakeCase(property.Name));
                }
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
