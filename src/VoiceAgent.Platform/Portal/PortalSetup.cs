using MudBlazor;
using MudBlazor.Services;

namespace VoiceAgent.Platform.Portal;

public static class PortalSetup
{
    /// <summary>The interactive portal's shared services: MudBlazor, localization, the per-action data edge, sign-in tickets.</summary>
    public static IServiceCollection AddPortal(this IServiceCollection services)
    {
        services.AddLocalization();
        services.AddMudServices(o =>
        {
            o.SnackbarConfiguration.PositionClass = Defaults.Classes.Position.BottomRight;
            o.SnackbarConfiguration.VisibleStateDuration = 6000;
            o.SnackbarConfiguration.PreventDuplicates = false;
        });
        services.AddCascadingAuthenticationState();
        services.AddScoped<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider, SessionRevalidation>();
        services.AddScoped<PortalData>();
        services.AddSingleton<SignInTicket>();
        return services;
    }
}
