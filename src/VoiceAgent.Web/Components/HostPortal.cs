using MudBlazor;
using VoiceAgent.Platform.Portal;
using VoiceAgent.Platform.Resources;

namespace VoiceAgent.Web.Components;

/// <summary>The host's own pages (dashboards, tenants, audit, settings, users, company) in the portal's navigation.</summary>
public static class HostPortal
{
    public static IServiceCollection AddHostPortal(this IServiceCollection services) =>
        services.AddPortalModule(typeof(HostPortal).Assembly,
            new(PortalArea.Admin, 0, "/admin", Icons.Material.Filled.Dashboard, typeof(Texts), "Nav.Dashboard") { Exact = true },
            new(PortalArea.Admin, 10, "/admin/tenants", Icons.Material.Filled.Business, typeof(Texts), "Nav.Tenants"),
            new(PortalArea.Admin, 40, "/admin/audit", Icons.Material.Filled.History, typeof(Texts), "Nav.Audit"),
            new(PortalArea.Admin, 50, "/admin/jobs", Icons.Material.Filled.Schedule, typeof(Texts), "Nav.Jobs"),
            new(PortalArea.Admin, 60, "/admin/settings", Icons.Material.Filled.Settings, typeof(Texts), "Nav.Settings"),
            new(PortalArea.Tenant, 0, "/app", Icons.Material.Filled.Dashboard, typeof(Texts), "Nav.Dashboard") { Exact = true },
            new(PortalArea.Tenant, 70, "/app/users", Icons.Material.Filled.People, typeof(Texts), "Nav.Users"),
            new(PortalArea.Tenant, 80, "/app/company", Icons.Material.Filled.Apartment, typeof(Texts), "Nav.Company"),
            new(PortalArea.Tenant, 85, "/app/privacy", Icons.Material.Filled.PrivacyTip, typeof(VoiceAgent.Web.Resources.PrivacyTexts), "Nav.Privacy")
            {
                TenantAdminOnly = true,
            });
}
