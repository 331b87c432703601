using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using VoiceAgent.Platform.Data;

namespace VoiceAgent.Billing;

/// <summary>
/// The PDFs of invoices. A finalized invoice's PDF is rendered once and archived (insert-only table); a draft's is rendered
/// on demand with an "ENTWURF" mark and never stored. Works in the caller's scope, so a tenant only reaches its own.
/// </summary>
public sealed class InvoiceDocuments(VoiceAgentDb db, IOptionsMonitor<BillingOptions> options, TimeProvider time)
{
    public sealed record Pdf(byte[] Content, string FileName);

    /// <summary>The archived PDF (Lexoffice's when <paramref name="source"/> asks for it), rendering ours on first use.</summary>
    public async Task<Pdf?> GetAsync(Guid invoiceId, string source = DocumentSources.Local, CancellationToken ct = default)
    {
        var invoice = await db.Invoices.AsNoTracking().Include(i => i.Lines).SingleOrDefaultAsync(i => i.Id == invoiceId, ct);
        if (invoice is null)
        {
            return null;
        }

        var name = FileName(invoice) + (source == DocumentSources.Lexoffice ? "-lexoffice.pdf" : ".pdf");
        var stored = await db.InvoiceDocuments.AsNoTracking()
            .Where(d => d.InvoiceId == invoiceId && d.Source == source)
            .Select(d => d.Content).SingleOrDefaultAsync(ct);
        if (stored is not null || source != DocumentSources.Local)
        {
            return stored is null ? null : new Pdf(stored, name);
        }

        var content = await RenderAsync(invoice, ct);
        if (!invoice.IsDraft)
        {
            await ArchiveAsync(invoice, DocumentSources.Local, content, ct);
        }

        return new Pdf(content, name);
    }

    /// <summary>Renders and archives the PDF of a finalized invoice unless it exists (after finalization, by the run).</summary>
    /// <remarks>Outside a request (jobs) the caller sets the scope; a transaction is opened here when none is running.</remarks>
    public async Task EnsureArchivedAsync(Guid invoiceId, CancellationToken ct = default)
    {
        await using var tx = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        if (await db.InvoiceDocuments.AnyAsync(d => d.InvoiceId == invoiceId && d.Source == DocumentSources.Local, ct))
        {
            return;
        }

        var invoice = await db.Invoices.AsNoTracking().Include(i => i.Lines).SingleAsync(i => i.Id == invoiceId, ct);
        if (!invoice.IsDraft)
        {
            await ArchiveAsync(invoice, DocumentSources.Local, await RenderAsync(invoice, ct), ct);
        }

        if (tx is not null)
        {
            await tx.CommitAsync(ct);
        }
    }

    public async Task ArchiveAsync(Invoice invoice, string source, byte[] content, CancellationToken ct)
    {
        var document = new InvoiceDocument
        {
            InvoiceId = invoice.Id,
            Source = source,
            TenantId = invoice.TenantId,
            Content = content,
            ContentType = "application/pdf",
            Sha256 = Convert.ToHexStringLower(SHA256.HashData(content)),
            CreatedAt = time.GetUtcNow(),
        };
        db.InvoiceDocuments.Add(document);
        try
        {
            await db.SaveInTransactionAsync(ct);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // Another request archived it at the same moment; the archived copy stays the one.
            db.Entry(document).State = EntityState.Detached;
        }
    }

    public async Task<byte[]> RenderAsync(Invoice invoice, CancellationToken ct)
    {
        var original = invoice.CancelsInvoiceId is { } originalId
            ? await db.Invoices.AsNoTracking().SingleOrDefaultAsync(i => i.Id == originalId, ct)
            : null;
        var layout = InvoiceLayout.For(invoice, invoice.Lines, original);
        return InvoicePdf.Render(layout, invoice.Number ?? "Entwurf", options.CurrentValue.Pdf);
    }

    public static string FileName(Invoice invoice) =>
        invoice.Number is { } number ? "Rechnung-" + number : $"Entwurf-{invoice.BillingPeriod()}-{invoice.Id.ToString("N")[..8]}";
}
