using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NodaTime;
using VoiceAgent.Platform;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Email;

namespace VoiceAgent.Billing;

/// <summary>
/// Finalization (gapless number, invoice date, frozen issuer and recipient): of the monthly run's invoices, package
/// invoices and Storno invoices alike. Numbers come from the year's row in
/// invoice_number_counters, incremented inside the finalizing transaction: the row lock serializes concurrent
/// finalizations and a rollback gives the number back, so numbers have neither gaps nor duplicates.
/// </summary>
public sealed class InvoiceFinalizer(IServiceScopeFactory scopes, IOptionsMonitor<BillingOptions> options, TimeProvider time, InvoiceTelemetry telemetry)
{
    /// <summary>Finalizes a draft in its own transaction; an invoice that is already final is left alone (returns false).</summary>
    public async Task<bool> FinalizeAsync(Guid invoiceId, Actor actor, CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
        db.Scope.UsePlatform();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var done = await FinalizeInTransactionAsync(db, scope.ServiceProvider.GetRequiredService<MailOutbox>(), invoiceId, actor, ct);
        await tx.CommitAsync(ct);
        return done;
    }

    /// <summary>
    /// Finalizes inside the caller's transaction (platform scope), which must commit for the number to count. The tenant's
    /// notice mail goes into <paramref name="mails"/> (the outbox of the same unit of work as <paramref name="db"/>), so it
    /// is sent only if the finalization commits.
    /// </summary>
    public async Task<bool> FinalizeInTransactionAsync(VoiceAgentDb db, MailOutbox mails, Guid invoiceId, Actor actor, CancellationToken ct)
    {
        var status = (await db.Database
                .SqlQuery<string>($"SELECT status AS \"Value\" FROM invoices WHERE id = {invoiceId} FOR UPDATE")
                .ToListAsync(ct))
            .SingleOrDefault() ?? throw new BillingException(BillingErrorCodes.InvoiceNotFound);
        if (status != InvoiceStatuses.Draft)
        {
            return false;
        }

        var issuerOptions = options.CurrentValue.Issuer;
        if (issuerOptions.MissingFields() is { Count: > 0 } missing)
        {
            throw new BillingException(BillingErrorCodes.IssuerIncomplete, string.Join(", ", missing));
        }

        var invoice = await db.Invoices.SingleAsync(i => i.Id == invoiceId, ct);
        var today = Today();
        var year = today.Year;
        var seq = (await db.Database.SqlQuery<int>($"""
                INSERT INTO invoice_number_counters (year, last_number) VALUES ({year}, 1)
                ON CONFLICT (year) DO UPDATE SET last_number = invoice_number_counters.last_number + 1
                RETURNING last_number AS "Value"
                """).ToListAsync(ct)).Single();

        invoice.Status = InvoiceStatuses.Finalized;
        invoice.NumberYear = year;
        invoice.NumberSeq = seq;
        invoice.Number = FormatNumber(options.CurrentValue.NumberPrefix, year, seq);
        invoice.InvoiceDate = today;
        invoice.DueDate = invoice.Kind == InvoiceKinds.Monthly ? today.AddDays(options.CurrentValue.PaymentTermDays) : null;
        invoice.FinalizedAt = time.GetUtcNow();
        invoice.UpdatedAt = time.GetUtcNow();
        invoice.Issuer = InvoiceParty.Issuer(issuerOptions).ToJson();
        var tenant = await db.Tenants.AsNoTracking().SingleAsync(t => t.Id == invoice.TenantId, ct);
        if (invoice.Kind != InvoiceKinds.Cancellation)
        {
            // The recipient as the tenant's data stand on the invoice date (a Storno repeats the original's recipient).
            invoice.Recipient = InvoiceParty.Recipient(tenant).ToJson();
        }

        db.Record(time, actor, BillingAuditActions.InvoiceFinalized, invoice.TenantId, $"{invoice.Number} {GermanFormat.Euro(invoice.GrossCents)}");
        var (subject, body) = await InvoiceMail.ComposeAsync(db, invoice, issuerOptions.Name ?? "", ct);
        mails.Add(tenant.Email, subject, body);
        await db.SaveChangesAsync(ct);
        telemetry.Issued(invoice.Kind);
        return true;
    }

    public static string FormatNumber(string prefix, int year, int seq) =>
        $"{prefix}{year}-{seq.ToString("00000", System.Globalization.CultureInfo.InvariantCulture)}";

    private DateOnly Today() =>
        Instant.FromDateTimeOffset(time.GetUtcNow()).InZone(BusinessTime.Zone).Date.ToDateOnly();
}

public static class BillingAuditActions
{
    public const string RunStarted = "billing.run";
    public const string InvoiceFinalized = "invoice.finalized";
    public const string InvoiceCancelled = "invoice.cancelled";
    public const string DraftDeleted = "invoice.draft_deleted";
    public const string InvoiceSent = "invoice.sent_to_lexoffice";
    public const string PlanCreated = "plan.created";
    public const string PlanVersionAdded = "plan.version_added";
    public const string PlanAssigned = "plan.assigned";
    public const string PackageCreated = "package.created";
    public const string PackageChanged = "package.changed";
    public const string PackageGranted = "package.granted";
    public const string PackagePurchased = "package.purchased";
}
