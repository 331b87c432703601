using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Mvc;
using VoiceAgent.Billing;
using VoiceAgent.Billing.Stripe;
using VoiceAgent.Platform.Http;

namespace VoiceAgent.Billing;

/// <summary>Billing outside the pages: the monthly job, PDF downloads, the package checkout redirect and the Stripe webhook.</summary>
public static class BillingEndpoints
{
    public static void MapBillingEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/admin/billing/invoices/{id:guid}/pdf", AdminPdf).WithName("AdminInvoicePdf").WithTags("Billing")
            .RequireAuthorization(PortalSecurity.SuperAdminPolicy).ExcludeFromDescription();
        routes.MapGet("/app/billing/invoices/{id:guid}/pdf", TenantPdf).WithName("TenantInvoicePdf").WithTags("Billing")
            .RequireAuthorization(PortalSecurity.TenantMemberPolicy).WithMetadata(new RequiresApprovedTenantAttribute()).ExcludeFromDescription();
        routes.MapPost("/app/billing/checkout", Checkout).WithName("PackageCheckout").WithTags("Billing")
            .RequireAuthorization(PortalSecurity.TenantAdminPolicy).WithMetadata(new RequiresApprovedTenantAttribute(), new RequireAntiforgeryTokenAttribute())
            .ExcludeFromDescription();
        routes.MapPost("/stripe/webhook", StripeWebhook).WithName("StripeWebhook").WithTags("Stripe")
            .AllowAnonymous().DisableAntiforgery().WithMetadata(new NoTenantScopeAttribute()).ExcludeFromDescription();
    }

    internal static async Task<IResult> AdminPdf(Guid id, string? source, InvoiceDocuments documents, CancellationToken ct)
    {
        var pdf = await documents.GetAsync(id, source == DocumentSources.Lexoffice ? DocumentSources.Lexoffice : DocumentSources.Local, ct);
        return pdf is null ? Problems.NotFound() : TypedResults.File(pdf.Content, "application/pdf", pdf.FileName);
    }

    // A tenant sees its issued invoices only (row-level security keeps it to its own; drafts are the operator's).
    internal static async Task<IResult> TenantPdf(Guid id, string? source, InvoiceDocuments documents, Platform.Data.VoiceAgentDb db, CancellationToken ct)
    {
        var issued = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.AnyAsync(
            db.Invoices, i => i.Id == id && i.Status != InvoiceStatuses.Draft, ct);
        if (!issued)
        {
            return Problems.NotFound();
        }

        var pdf = await documents.GetAsync(id, source == DocumentSources.Lexoffice ? DocumentSources.Lexoffice : DocumentSources.Local, ct);
        return pdf is null ? Problems.NotFound() : TypedResults.File(pdf.Content, "application/pdf", pdf.FileName);
    }

    internal static async Task<IResult> Checkout([FromForm] Guid packageId, HttpContext context, StripeCheckouts checkouts, CancellationToken ct)
    {
        var returnBase = $"{context.Request.Scheme}://{context.Request.Host}/app/billing";
        try
        {
            var url = await checkouts.StartAsync(context.User.TenantId()!.Value, packageId, returnBase, context.User.Actor(), ct);
            return TypedResults.Redirect(url);
        }
        catch (BillingException)
        {
            // Only a code goes into the URL (the page words it), never free text someone could put into a link.
            var code = await checkouts.IsConfiguredAsync(ct) ? "failed" : "not_configured";
            return TypedResults.LocalRedirect("/app/billing?checkout=" + code);
        }
    }

    internal static async Task<IResult> StripeWebhook(HttpRequest request, StripeWebhooks webhooks, CancellationToken ct)
    {
        // The signature covers the exact bytes: read them before anything parses the body.
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct);
        var result = await webhooks.HandleAsync(buffer.ToArray(), request.Headers["Stripe-Signature"], ct);
        return result switch
        {
            WebhookResult.Accepted => TypedResults.Ok(new { received = true }),
            WebhookResult.Duplicate => TypedResults.Ok(new { received = true, duplicate = true }),
            WebhookResult.NotConfigured => Problems.Status(StatusCodes.Status503ServiceUnavailable, "Stripe-Webhook ist nicht eingerichtet."),
            WebhookResult.Rejected => Problems.Status(StatusCodes.Status400BadRequest, "Ungültige Stripe-Signatur."),
            _ => Problems.Status(StatusCodes.Status500InternalServerError, "Das Ereignis konnte nicht verarbeitet werden."),
        };
    }
}
