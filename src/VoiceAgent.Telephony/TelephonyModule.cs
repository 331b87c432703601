using MudBlazor;
using VoiceAgent.Platform.Portal;
using VoiceAgent.Platform.Resources;
using VoiceAgent.Platform.Security;
using VoiceAgent.Platform.Ports;
using VoiceAgent.Telephony.Calls;
using VoiceAgent.Telephony.Setup;
using VoiceAgent.Telephony.Speech;
using VoiceAgent.Telephony.Speech.GoogleCloud;

namespace VoiceAgent.Telephony;

/// <summary>Telephony: numbers, calls (one handler per use case), Twilio, sipgate, media streams and speech engines.</summary>
public static class TelephonyModule
{
    public static IServiceCollection AddTelephony(this IServiceCollection services, IConfiguration configuration)
    {
        // Its pages and navigation entries in the portal (the host composes every module's).
        services.AddPortalModule(typeof(TelephonyModule).Assembly,
            new(PortalArea.Tenant, 10, "/app/calls", Icons.Material.Filled.Phone, typeof(Texts), "Nav.Calls"),
            new(PortalArea.Tenant, 40, "/app/numbers", Icons.Material.Filled.Dialpad, typeof(Texts), "Nav.Numbers"));
        services.AddOptions<TelephonyOptions>().Bind(configuration.GetSection(TelephonyOptions.Section));
        services.AddScoped<TwilioAccounts>();
        services.AddSingleton<TwilioAccountDirectory>();
        services.AddScoped<NumberService>();
        services.AddScoped<NumberSetup>();
        services.AddScoped<TenantCalls>();
        services.AddScoped<CallFlow>();
        services.AddSingleton<FlowSessionCache>();
        services.AddScoped<UsageMeter>();
        services.AddScoped<CallStarted>();
        services.AddScoped<CallerTurn>();
        services.AddScoped<DialLegEnded>();
        services.AddScoped<CallCompleted>();
        services.AddScoped<CallStream>();
        services.AddProviderRestClients(configuration);
        services.AddProviderConnectionCheck<TwilioConnectionCheck>();
        services.AddProviderConnectionCheck<SipgateConnectionCheck>();
        services.AddSingleton<StreamTokens>();
        services.AddSingleton<CallTelemetry>();
        services.AddSingleton<CallAdmission>();
        services.AddScoped<RealtimeSpeech>();
        services.AddScoped<TenantSpeechSettings>();
        GoogleCloudApi.Register(services, configuration);
        services.AddProviderConnectionCheck<GoogleCloudConnectionCheck>();
        services.AddScoped<ISpeechEngines>(sp => sp.GetRequiredService<RealtimeSpeech>());
        services.AddSingleton(new TextToSpeechCache());
        return services;
    }

    public static IEndpointRouteBuilder MapTelephony(this IEndpointRouteBuilder routes)
    {
        routes.MapTelephonyApi();
        routes.MapCallSettingsApi();
        routes.MapTenantSpeechApi();
        routes.MapTwilioWebhooks();
        routes.MapSipgateWebhooks();
        return routes;
    }
}
