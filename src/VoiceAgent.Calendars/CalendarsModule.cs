using VoiceAgent.Platform.Security;
using MudBlazor;
using VoiceAgent.Platform.Portal;
using VoiceAgent.Platform.Resources;
using Microsoft.Extensions.Options;
using VoiceAgent.Platform.Http;
using VoiceAgent.Platform.Jobs;
using VoiceAgent.Platform.Ports;

namespace VoiceAgent.Calendars;

/// <summary>Calendars: sandbox calendar, slot finder, connectors (Google, Microsoft 365, CalDAV) and the booking outbox.</summary>
public static class CalendarsModule
{
    public static IServiceCollection AddCalendars(this IServiceCollection services, IConfiguration configuration)
    {
        // Its pages and navigation entries in the portal (the host composes every module's).
        services.AddPortalModule(typeof(CalendarsModule).Assembly,
            new(PortalArea.Tenant, 20, "/app/calendar", Icons.Material.Filled.Event, typeof(CalendarTexts), "Nav.Appointments"),
            new(PortalArea.Tenant, 50, "/app/connectors", Icons.Material.Filled.Link, typeof(Texts), "Nav.Connectors"));
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
                : NetworkGuard.CreateHandler())
            .AddCalendarResilience()
            // Inside the resilience pipeline: every hop of a redirect is checked, every answer read with the iCalendar cap.
            .AddHttpMessageHandler(sp => sp.GetRequiredService<IOptions<CalendarOptions>>().Value.AllowLocalCalDavServers
                ? new GuardedRedirectHandler(requireHttps: false, checkAddresses: false)
                : new GuardedRedirectHandler(requireHttps: true))
            .AddHttpMessageHandler(() => new ResponseLimitHandler(LimitedBody.CalendarBytes));
        services.AddScoped<GoogleOAuth>();
        services.AddScoped<MicrosoftOAuth>();
        services.AddProviderConnectionCheck<GoogleConnectionCheck>();
        services.AddProviderConnectionCheck<MicrosoftConnectionCheck>();
        services.AddScoped<ConnectorMails>();
        services.AddScoped<ConnectionAccess>();
        services.AddScoped<CalendarProviderRegistry>();
        services.AddScoped<CalendarGateways>();
        services.AddSingleton<BookingTelemetry>();
        services.AddScoped<TenantCalendarChoice>();
        services.AddScoped<CalendarDevSeed>();
        services.AddScoped<IDemoTenantSeed>(sp => sp.GetRequiredService<CalendarDevSeed>());
        services.AddScoped<ITenantCalendars>(sp => sp.GetRequiredService<CalendarGateways>());
        services.AddScoped<OAuthConnector>();
        services.AddScoped<ConnectorService>();
        services.AddScoped<AppointmentService>();
        services.AddScoped<BookingOutbox>();
        services.AddScoped<CalendarBookingJob>();
        services.AddSingleton<IRecurringJobs, CalendarRecurringJobs>();
        services.AddSingleton<OAuthRateLimiter>();
        return services;
    }

    public static IEndpointRouteBuilder MapCalendars(this IEndpointRouteBuilder routes)
    {
        routes.MapConnectorsApi();
        return routes;
    }
}
