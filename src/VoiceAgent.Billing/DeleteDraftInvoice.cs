using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Data;

namespace VoiceAgent.Billing;

/// <summary>Removes a draft before it is finalized (a finalized invoice is cancelled instead, see <see cref="CancelInvoice"/>).</summary>
public sealed class DeleteDraftInvoice(IServiceScopeFactory scopes, TimeProvider time)
{
    /// <summary>Deletes a draft (finalized invoices cannot be deleted; the database refuses it as well).</summary>
    public async Task HandleAsync(Guid invoiceId, Actor actor, CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
        db.Scope.UsePlatform();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var invoice = await db.Invoices.SingleOrDefaultAsync(i => i.Id == invoiceId, ct) ?? throw new BillingException(BillingErrorCodes.InvoiceNotFound);
        if (invoice.Status != InvoiceStatuses.Draft)
        {
            throw new BillingException(BillingErrorCodes.OnlyDraftsDeletable);
        }

        db.Invoices.Remove(invoice);
        db.Record(time, actor, BillingAuditActions.DraftDeleted, invoice.TenantId, $"{invoice.BillingPeriod()} {GermanFormat.Euro(invoice.GrossCents)}");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }
}
