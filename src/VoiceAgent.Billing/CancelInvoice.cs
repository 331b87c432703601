using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Email;

namespace VoiceAgent.Billing;

/// <summary>The super-admin's Storno of a finalized invoice (the cancellation invoice gets its number from <see cref="InvoiceFinalizer"/>).</summary>
public sealed class CancelInvoice(IServiceScopeFactory scopes, InvoiceFinalizer finalizer, TimeProvider time)
{
    /// <summary>
    /// Storno: a cancellation invoice with the negated lines, finalized at once (own number), and the original marked
    /// cancelled (the one change the database allows on a finalized invoice). The packages it consumed are free again; the
    /// period can then be billed anew.
    /// </summary>
    /// <returns>The cancellation invoice's id.</returns>
    public async Task<Guid> HandleAsync(Guid invoiceId, string reason, Actor actor, CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
        db.Scope.UsePlatform();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlAsync($"SELECT 1 FROM invoices WHERE id = {invoiceId} FOR UPDATE", ct);
        var original = await db.Invoices.Include(i => i.Lines).SingleOrDefaultAsync(i => i.Id == invoiceId, ct)
                       ?? throw new BillingException(BillingErrorCodes.InvoiceNotFound);
        if (original.Status != InvoiceStatuses.Finalized || original.Kind == InvoiceKinds.Cancellation)
        {
            throw new BillingException(original.Status == InvoiceStatuses.Draft
                ? BillingErrorCodes.DraftNotCancellable
                : BillingErrorCodes.AlreadyCancelled);
        }

        var now = time.GetUtcNow();
        var cancellation = new Invoice
        {
            Id = Guid.NewGuid(),
            TenantId = original.TenantId,
            Kind = InvoiceKinds.Cancellation,
            Status = InvoiceStatuses.Draft,
            Period = original.Period,
            ServiceFrom = original.ServiceFrom,
            ServiceUntil = original.ServiceUntil,
            CancelsInvoiceId = original.Id,
            PlanVersionId = original.PlanVersionId,
            TenantPlanId = original.TenantPlanId,
            Issuer = original.Issuer,
            Recipient = original.Recipient,
            NetCents = -original.NetCents,
            TaxRatePercent = original.TaxRatePercent,
            TaxCents = -original.TaxCents,
            GrossCents = -original.GrossCents,
            TaxRule = original.TaxRule,
            TaxNote = original.TaxNote,
            Calculation = null,
            CreatedAt = now,
            UpdatedAt = now,
            CreatedBy = actor.Email,
            Lines = original.Lines.OrderBy(l => l.Position).Select(l => new InvoiceItem
            {
                Position = l.Position,
                TenantId = l.TenantId,
                Kind = l.Kind,
                Description = "Storno: " + l.Description,
                Quantity = -l.Quantity,
                Unit = l.Unit,
                UnitPriceCents = l.UnitPriceCents,
                AmountCents = -l.AmountCents,
            }).ToList(),
        };
        db.Invoices.Add(cancellation);
        await db.SaveChangesAsync(ct);
        await finalizer.FinalizeInTransactionAsync(db, scope.ServiceProvider.GetRequiredService<MailOutbox>(), cancellation.Id, actor, ct);

        original.Status = InvoiceStatuses.Cancelled;
        original.CancelledByInvoiceId = cancellation.Id;
        original.CancelledAt = now;
        original.UpdatedAt = now;
        db.Record(time, actor, BillingAuditActions.InvoiceCancelled, original.TenantId, $"{original.Number} → {cancellation.Number}", reason);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return cancellation.Id;
    }
}
