using VoiceAgent.Platform.Portal;

namespace VoiceAgent.Designer;

/// <summary>The flow designer: its page (Blazor panels around the x6 canvas of ClientLib) joins the portal's router.</summary>
public static class DesignerModule
{
    public static IServiceCollection AddDesigner(this IServiceCollection services) =>
        services.AddPortalModule(typeof(DesignerModule).Assembly);
}
