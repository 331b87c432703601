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
        // Health: provider checks cached per instance; Redis's state comes from the platform's RedisConnection.
        services.AddOptions<Api.HealthOptions>().BindConfiguration(Api.HealthOptions.Section);
        services.AddSingleton<Api.ProviderHealthMonitor>();
        return services;
    }
}
