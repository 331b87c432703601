using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using VoiceAgent.Platform.Billing.Lexoffice;
using VoiceAgent.Platform.Billing.Stripe;

namespace VoiceAgent.Platform.Billing;

public static class BillingServiceCollectionExtensions
{
    /// <summary>Billing services shared by the web host and the CLI (the scheduler itself is the web host's, see AddBilling there).</summary>
    public static IServiceCollection AddBillingServices(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BillingOptions>().Bind(configuration.GetSection(BillingOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<LexofficeOptions>().Bind(configuration.GetSection(LexofficeOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<StripeOptions>().Bind(configuration.GetSection(StripeOptions.Section)).ValidateDataAnnotations().ValidateOnStart();

        services.AddSingleton<InvoiceFinalizer>();
        services.AddSingleton<BillingRun>();
        services.AddSingleton<PackageCredits>();
        services.AddScoped<InvoiceDocuments>();
        services.AddScoped<PlanCatalog>();

        services.AddSingleton<LexofficeRateLimiter>();
        // Retries, back-off and the per-attempt timeout come from the resilience pipeline, so the client's own timeout is off.
        services.AddHttpClient<LexofficeClient>(c => c.Timeout = Timeout.InfiniteTimeSpan).AddLexofficeResilience();
        services.AddScoped<LexofficeSender>();
        services.AddScoped<LexofficeJob>();

        StripeApi.AddStripeHttp(services);
        services.AddSingleton<StripeApi>();
        services.AddSingleton<StripeHealth>();
        services.AddScoped<StripeCheckouts>();
        services.AddScoped<StripeWebhooks>();
        return services;
    }
}
