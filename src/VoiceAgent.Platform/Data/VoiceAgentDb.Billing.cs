using Microsoft.EntityFrameworkCore;

namespace VoiceAgent.Platform.Data;

// The billing tables (0007_billing.sql). Plans, the package catalog, runs and Stripe events are platform data; everything
// that names a tenant is filtered like the other tenant-owned sets (row-level security backs it up).
public sealed partial class VoiceAgentDb
{
    public DbSet<PricePlan> PricePlans => Set<PricePlan>();
    public DbSet<PricePlanVersion> PricePlanVersions => Set<PricePlanVersion>();
    public DbSet<TenantPlan> TenantPlans => Set<TenantPlan>();
    public DbSet<PackageOffer> PackageOffers => Set<PackageOffer>();
    public DbSet<PackagePurchase> PackagePurchases => Set<PackagePurchase>();
    public DbSet<PackageBalance> PackageBalances => Set<PackageBalance>();
    public DbSet<PackageConsumption> PackageConsumptions => Set<PackageConsumption>();
    public DbSet<Invoice> Invoices => Set<Invoice>();
    public DbSet<InvoiceItem> InvoiceItems => Set<InvoiceItem>();
    public DbSet<InvoiceDocument> InvoiceDocuments => Set<InvoiceDocument>();
    public DbSet<BillingRunRecord> BillingRuns => Set<BillingRunRecord>();
    public DbSet<LexofficeContact> LexofficeContacts => Set<LexofficeContact>();
    public DbSet<LexofficeTransmission> LexofficeTransmissions => Set<LexofficeTransmission>();
    public DbSet<StripeCheckout> StripeCheckouts => Set<StripeCheckout>();
    public DbSet<StripeEventRecord> StripeEvents => Set<StripeEventRecord>();

    private void ConfigureBilling(ModelBuilder builder)
    {
        builder.Entity<PricePlan>().ToTable("billing_plans");
        builder.Entity<PricePlanVersion>(e =>
        {
            e.ToTable("billing_plan_versions");
            e.HasOne<PricePlan>().WithMany().HasForeignKey(v => v.PlanId);
        });
        builder.Entity<TenantPlan>(e =>
        {
            e.ToTable("tenant_plans");
            e.HasOne<PricePlan>().WithMany().HasForeignKey(v => v.PlanId);
            e.HasQueryFilter(v => IsPlatformScope || v.TenantId == CurrentTenantId);
        });
        builder.Entity<PackageOffer>().ToTable("minute_packages");
        builder.Entity<PackagePurchase>(e =>
        {
            e.ToTable("package_purchases");
            e.HasQueryFilter(v => IsPlatformScope || v.TenantId == CurrentTenantId);
        });
        builder.Entity<PackageBalance>(e =>
        {
            e.ToView("package_balances");
            e.HasKey(b => b.PurchaseId);
            e.HasQueryFilter(v => IsPlatformScope || v.TenantId == CurrentTenantId);
        });
        builder.Entity<PackageConsumption>(e =>
        {
            e.ToTable("package_consumptions");
            e.HasKey(c => new { c.InvoiceId, c.PurchaseId });
            // Modelled so EF inserts invoices and purchases before the consumption rows that point at them.
            e.HasOne<Invoice>().WithMany().HasForeignKey(c => c.InvoiceId);
            e.HasOne<PackagePurchase>().WithMany().HasForeignKey(c => c.PurchaseId);
            e.HasQueryFilter(v => IsPlatformScope || v.TenantId == CurrentTenantId);
        });
        builder.Entity<Invoice>(e =>
        {
            e.ToTable("invoices");
            e.Property(i => i.Issuer).HasColumnType("jsonb");
            e.Property(i => i.Recipient).HasColumnType("jsonb");
            e.Property(i => i.Calculation).HasColumnType("jsonb");
            e.HasMany(i => i.Lines).WithOne().HasForeignKey(l => l.InvoiceId);
            e.HasOne<PackagePurchase>().WithMany().HasForeignKey(i => i.PurchaseId);
            e.HasOne<Invoice>().WithMany().HasForeignKey(i => i.CancelsInvoiceId);
            e.HasOne<Invoice>().WithMany().HasForeignKey(i => i.CancelledByInvoiceId);
            e.HasQueryFilter(v => IsPlatformScope || v.TenantId == CurrentTenantId);
        });
        builder.Entity<InvoiceItem>(e =>
        {
            e.ToTable("invoice_lines");
            e.HasKey(l => new { l.InvoiceId, l.Position });
            e.HasQueryFilter(v => IsPlatformScope || v.TenantId == CurrentTenantId);
        });
        builder.Entity<InvoiceDocument>(e =>
        {
            e.ToTable("invoice_documents");
            e.HasKey(d => new { d.InvoiceId, d.Source });
            e.HasQueryFilter(v => IsPlatformScope || v.TenantId == CurrentTenantId);
        });
        builder.Entity<BillingRunRecord>().ToTable("billing_runs");
        builder.Entity<LexofficeContact>(e =>
        {
            e.ToTable("lexoffice_contacts");
            e.HasKey(c => c.TenantId);
            e.HasQueryFilter(v => IsPlatformScope || v.TenantId == CurrentTenantId);
        });
        builder.Entity<LexofficeTransmission>(e =>
        {
            e.ToTable("lexoffice_transmissions");
            e.HasKey(t => t.InvoiceId);
            e.HasQueryFilter(v => IsPlatformScope || v.TenantId == CurrentTenantId);
        });
        builder.Entity<StripeCheckout>(e =>
        {
            e.ToTable("stripe_checkouts");
            e.HasQueryFilter(v => IsPlatformScope || v.TenantId == CurrentTenantId);
        });
        builder.Entity<StripeEventRecord>().ToTable("stripe_events");
    }
}
