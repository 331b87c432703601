using MudBlazor;
using VoiceAgent.Platform.Portal;
using VoiceAgent.Platform.Resources;
using VoiceAgent.Flows.Descriptors;
using VoiceAgent.Platform.Ports;
using VoiceAgent.CallFlows.Prompts;

namespace VoiceAgent.CallFlows;

/// <summary>Call flows: versions, designer options, the simulator, NLU and conversation models, and the run of one turn.</summary>
public static class CallFlowsModule
{
    public static IServiceCollection AddCallFlows(this IServiceCollection services, IConfiguration configuration)
    {
        // Its pages and navigation entries in the portal (the host composes every module's).
        services.AddPortalModule(typeof(CallFlowsModule).Assembly,
            new PortalNavItem(PortalArea.Tenant, 30, "/app/flows", Icons.Material.Filled.AccountTree, typeof(Texts), "Nav.Flows"));
        services.AddSingleton(ActivityRegistry.FromAssemblies(typeof(VoiceAgent.Activities.Variables).Assembly));
        services.AddScoped<ConversationModels>();
        services.AddScoped<TenantPrompts>();
        services.AddScoped<ITenantPromptText>(sp => sp.GetRequiredService<TenantPrompts>());
        services.AddScoped<FlowPortsFactory>();
        services.AddScoped<FlowService>();
        services.AddScoped<DesignerOptions>();
        services.AddScoped<SimulationService>();
        services.AddScoped<SimulationSpeech>();
        services.AddScoped<ReplayQuery>();
        services.AddSingleton<FlowPlanCache>();
        services.AddScoped<FlowSessionRunner>();
        services.AddScoped<IFlowTurns>(sp => sp.GetRequiredService<FlowSessionRunner>());
        services.AddScoped<SampleFlowSeed>();
        services.AddScoped<IDemoTenantSeed>(sp => sp.GetRequiredService<SampleFlowSeed>());
        return services;
    }

    public static IEndpointRouteBuilder MapCallFlows(this IEndpointRouteBuilder routes)
    {
        routes.MapFlowsApi();
        routes.MapReplayApi();
        return routes;
    }
}
