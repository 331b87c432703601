using MudBlazor;
using VoiceAgent.Platform.Portal;
using VoiceAgent.Platform.Resources;
using VoiceAgent.Billing.Lexoffice;
using VoiceAgent.Billing.Stripe;
using VoiceAgent.Platform.Jobs;
using VoiceAgent.Platform.Ports;
using VoiceAgent.Platform.Security;

namespace VoiceAgent.Billing;

/// <summary>Billing: plans, packages, usage, invoices (GoBD), PDF, Lexoffice, Stripe and the monthly run.</summary>
public static class BillingModule
{
    public static IServiceCollection AddBilling(this IServiceCollection services, IConfiguration configuration)
    {
        // Its pages and navigation entries in the portal (the host composes every module's).
        services.AddPortalModule(typeof(BillingModule).Assembly,
            new(PortalArea.Admin, 20, "/admin/billing", Icons.Material.Filled.ReceiptLong, typeof(BillingTexts), "Nav.AdminBilling"),
            new(PortalArea.Tenant, 60, "/app/billing", Icons.Material.Filled.ReceiptLong, typeof(BillingTexts), "Nav.TenantBilling"));
        services.AddOptions<BillingOptions>().Bind(configuration.GetSection(BillingOptions.Section)).ValidateDataAnnotations().ValidateOnStart()
            .Validate(o => TimeZoneInfo.TryFindSystemTimeZoneById(o.Scheduler.TimeZone, out _),
                "Billing:Scheduler:TimeZone ist keine bekannte Zeitzone (z. B. \"Europe/Berlin\").");
        services.AddOptions<LexofficeOptions>().Bind(configuration.GetSection(LexofficeOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<StripeOptions>().Bind(configuration.GetSection(StripeOptions.Section)).ValidateDataAnnotations().ValidateOnStart();

        services.AddSingleton<InvoiceTelemetry>();
        services.AddSingleton<InvoiceFinalizer>();
        services.AddSingleton<CancelInvoice>();
        services.AddSingleton<DeleteDraftInvoice>();
        services.AddSingleton<BillingRun>();
        services.AddSingleton<PackageCredits>();
        services.AddScoped<InvoiceDocuments>();
        services.AddScoped<PlanCatalog>();
        services.AddScoped<PackageCatalog>();

        services.AddSingleton<LexofficeRateLimiter>();
        // Retries, back-off and the per-attempt timeout come from the resilience pipeline, so the client's own timeout is off.
        services.AddHttpClient<LexofficeClient>(c => c.Timeout = Timeout.InfiniteTimeSpan).AddLexofficeResilience();
        services.AddScoped<LexofficeSender>();
        services.AddScoped<LexofficeJob>();

        StripeApi.AddStripeHttp(services);
        services.AddSingleton<StripeApi>();
        services.AddProviderConnectionCheck<StripeConnectionCheck>();
        services.AddProviderConnectionCheck<LexofficeConnectionCheck>();
        services.AddScoped<StripeCheckouts>();
        services.AddScoped<StripeWebhooks>();

        services.AddSingleton<BillingJobMonitor>();
        services.AddScoped<MonthlyBillingJob>();
        services.AddSingleton<IRecurringJobs, BillingRecurringJobs>();
        services.AddHostedService<StripeKeyCheck>();
        services.AddScoped<IDemoTenantSeed, BillingDevSeed>();
        return services;
    }

    public static IEndpointRouteBuilder MapBilling(this IEndpointRouteBuilder routes)
    {
        routes.MapBillingEndpoints();
        return routes;
    }
}
