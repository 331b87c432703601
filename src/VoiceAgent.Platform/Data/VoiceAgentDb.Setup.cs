using Microsoft.EntityFrameworkCore;

namespace VoiceAgent.Platform.Data;

// The setup wizard (0015_setup_wizard.sql): one row per tenant, filtered like the other tenant-owned sets.
public sealed partial class VoiceAgentDb
{
    public DbSet<SetupWizardState> SetupWizards => Set<SetupWizardState>();

    private void ConfigureSetup(ModelBuilder builder) =>
        builder.Entity<SetupWizardState>(e =>
        {
            e.ToTable("setup_wizards");
            e.HasKey(w => w.TenantId);
            e.HasQueryFilter(w => IsPlatformScope || w.TenantId == CurrentTenantId);
        });
}
