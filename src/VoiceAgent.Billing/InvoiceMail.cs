using System.Globalization;
using System.Resources;
using Microsoft.EntityFrameworkCore;
using VoiceAgent.Platform.Data;

namespace VoiceAgent.Billing;

/// <summary>
/// The notice a tenant gets when one of its invoices is finalized (German, like every mail to tenants). It names number,
/// amount and due date and points to the portal's PDF rather than attaching one: with Lexoffice on, the customer must
/// not receive two documents for the same supply (RUNBOOK, § 14c UStG).
/// </summary>
public static class InvoiceMail
{
    private static readonly ResourceManager Resources = new("VoiceAgent.Billing.BillingTexts", typeof(InvoiceMail).Assembly);
    private static readonly CultureInfo German = CultureInfo.GetCultureInfo("de-DE");

    public static async Task<(string Subject, string Body)> ComposeAsync(VoiceAgentDb db, Invoice invoice, string issuerName, CancellationToken ct)
    {
        var what = invoice.Kind switch
        {
            InvoiceKinds.Cancellation => Text("Mail.Invoice.What.Cancellation",
                await db.Invoices.AsNoTracking().Where(i => i.Id == invoice.CancelsInvoiceId).Select(i => i.Number).SingleOrDefaultAsync(ct) ?? "–"),
            InvoiceKinds.Monthly => Text("Mail.Invoice.What.Monthly", invoice.BillingPeriod().Display),
            _ => Text("Mail.Invoice.What.Other"),
        };
        var due = invoice.DueDate is { } date ? Text("Mail.Invoice.Due", GermanFormat.Date(date)) : "";
        var subject = Text(invoice.Kind == InvoiceKinds.Cancellation ? "Mail.Invoice.Subject.Cancellation" : "Mail.Invoice.Subject", invoice.Number, issuerName);
        var body = Text("Mail.Invoice.Body", what, invoice.Number, GermanFormat.Euro(invoice.GrossCents), due, issuerName);
        return (subject, body);
    }

    private static string Text(string key, params object?[] args) =>
        string.Format(German, Resources.GetString(key, German) ?? key, args);
}
