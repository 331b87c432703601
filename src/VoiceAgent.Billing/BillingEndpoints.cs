using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using VoiceAgent.Billing.Stripe;
using VoiceAgent.Platform.Http;

namespace VoiceAgent.Billing;

/// <summary>Billing outside the pages: PDF downloads, the package checkout redirect and the Stripe webhook.</summary>
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

    public static async Task<Results<FileContentHttpResult, ProblemHttpResult>> AdminPdf(Guid id, string? source,
        [AsParameters] InvoiceServices services, CancellationToken ct)
    {
        var pdf = await services.Documents.GetAsync(id, Source(source), ct);
        return pdf is null ? Problems.NotFound() : TypedResults.File(pdf.Content, "application/pdf", pdf.FileName);
    }

    // A tenant sees its issued invoices only (row-level security keeps it to its own; drafts are the operator's).
    public static async Task<Results<FileContentHttpResult, ProblemHttpResult>> TenantPdf(Guid id, string? source,
        [AsParameters] InvoiceServices services, CancellationToken ct)
    {
        if (!await services.Db.Invoices.AnyAsync(i => i.Id == id && i.Status != InvoiceStatuses.Draft, ct))
        {
            return Problems.NotFound();
        }

        var pdf = await services.Documents.GetAsync(id, Source(source), ct);
        return pdf is null ? Problems.NotFound() : TypedResults.File(pdf.Content, "application/pdf", pdf.FileName);
    }

    public static async Task<RedirectHttpResult> Checkout([FromForm] Guid packageId, HttpContext context, [AsParameters] StripeServices services,
        CancellationToken ct)
    {
        var returnBase = $"{context.Request.Scheme}://{context.Request.Host}/app/billing";
        try
        {
            var url = await services.Checkouts.StartAsync(context.User.TenantId()!.Value, packageId, returnBase, context.User.Actor(), ct);
            return TypedResults.Redirect(url);
        }
        catch (BillingException)
        {
            // Only a code goes into the URL (the page words it), never free text someone could put into a link.
            var code = await services.Checkouts.IsConfiguredAsync(ct) ? "failed" : "not_configured";
            return TypedResults.LocalRedirect("/app/billing?checkout=" + code);
        }
    }

    public static async Task<Results<Ok<StripeWebhookReceipt>, ProblemHttpResult>> StripeWebhook(HttpRequest request,
        [AsParameters] StripeServices services, CancellationToken ct)
    {
        // Problem titles are in the request's culture (German unless the culture cookie asks for English).
        // The signature covers the exact bytes: read them before anything parses the body.
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct);
        var result = await services.Webhooks.HandleAsync(buffer.ToArray(), request.Headers["Stripe-Signature"], ct);
        return result switch
        {
            WebhookResult.Accepted => TypedResults.Ok(new StripeWebhookReceipt(true)),
            WebhookResult.Duplicate => TypedResults.Ok(new StripeWebhookReceipt(true, Duplicate: true)),
            WebhookResult.NotConfigured => Problems.Status(StatusCodes.Status503ServiceUnavailable, BillingTexts.Get("Problem.WebhookNotConfigured")),
            WebhookResult.Rejected => Problems.Status(StatusCodes.Status400BadRequest, BillingTexts.Get("Problem.WebhookSignature")),
            _ => Problems.Status(StatusCodes.Status500InternalServerError, BillingTexts.Get("Problem.WebhookFailed")),
        };
    }

    private static string Source(string? source) => source == DocumentSources.Lexoffice ? DocumentSources.Lexoffice : DocumentSources.Local;
}

/// <summary>What the invoice handlers use; bound from the request's services with <c>[AsParameters]</c>.</summary>
public sealed record InvoiceServices(InvoiceDocuments Documents, VoiceAgentDb Db);

/// <summary>What the Stripe handlers use; bound from the request's services with <c>[AsParameters]</c>.</summary>
public sealed record StripeServices(StripeCheckouts Checkouts, StripeWebhooks Webhooks);

/// <summary>The webhook's 200 body: <c>{"received":true}</c>, plus <c>"duplicate":true</c> for an event seen before.</summary>
public sealed record StripeWebhookReceipt(
    bool Received,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Duplicate = null);
