using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using VoiceAgent.Platform.CallFlows;

namespace VoiceAgent.Platform.Calendars;

public static class CalendarServiceCollectionExtensions
{
    /// <summary>Calendar connectors: OAuth, provider clients, the connected-calendar port and the booking outbox.</summary>
    public static IServiceCollection AddCalendarConnectors(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CalendarOptions>().Bind(configuration.GetSection(CalendarOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ConnectionSecrets>();
        services.AddSingleton<BookingOutboxSignal>();
        services.AddTransient<LoginRedirectHandler>();
        services.AddHttpClient(MicrosoftOAuth.HttpClientName).AddHttpMessageHandler<LoginRedirectHandler>();
        // No client-wide timeout: every call has its own budget, enforced with the retries by CalendarResilience.
        services.AddHttpClient<GoogleCalendarClient>(c => c.Timeout = Timeout.InfiniteTimeSpan).AddCalendarResilience();
        services.AddHttpClient<GraphCalendarClient>(c => c.Timeout = Timeout.InfiniteTimeSpan).AddCalendarResilience();
        services.AddHttpClient<CalDavClient>(c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp => sp.GetRequiredService<IOptions<CalendarOptions>>().Value.AllowLocalCalDavServers
                ? new SocketsHttpHandler { AllowAutoRedirect = false }
                : GuardedWebhookClient.CreateHandler())
            .AddCalendarResilience();
        services.AddScoped<GoogleOAuth>();
        services.AddScoped<MicrosoftOAuth>();
        services.AddScoped<ConnectorMails>();
        services.AddScoped<ConnectionAccess>();
        services.AddScoped<CalendarProviderRegistry>();
        services.AddScoped<CalendarGateways>();
        services.AddScoped<OAuthConnector>();
        services.AddScoped<ConnectorService>();
        services.AddScoped<BookingOutbox>();
        services.AddScoped<CalendarBookingJob>();
        return services;
    }
}
