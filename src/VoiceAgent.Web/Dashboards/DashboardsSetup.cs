using Microsoft.Extensions.DependencyInjection.Extensions;

namespace VoiceAgent.Web.Dashboards;

public static class DashboardsSetup
{
    /// <summary>
    /// The dashboards' data side: <see cref="AdminDashboardQuery"/> (platform scope), <see cref="TenantDashboardQuery"/>
    /// (tenant scope) and <see cref="ProviderHealthTiles"/>, scoped like the <see cref="VoiceAgentDb"/> they read.
    /// </summary>
    public static IServiceCollection AddDashboards(this IServiceCollection services)
    {
        services.AddScoped<AdminDashboardQuery>();
        services.AddScoped<TenantDashboardQuery>();
        services.AddScoped<ProviderHealthTiles>();
        // Health: provider checks cached per instance; Redis reported "not_configured" until a module registers its check.
        services.AddOptions<Api.HealthOptions>().BindConfiguration(Api.HealthOptions.Section);
        services.AddSingleton<Api.ProviderHealthMonitor>();
        services.TryAddSingleton<Api.IRedisHealth, Api.NoRedis>();
        return services;
    }
}
