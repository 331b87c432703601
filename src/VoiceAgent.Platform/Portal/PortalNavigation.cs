using System.Reflection;

namespace VoiceAgent.Platform.Portal;

/// <summary>Which navigation a page belongs to: the operator's (super-admin) or a tenant's.</summary>
public enum PortalArea
{
    Admin,
    Tenant,
}

/// <summary>
/// One entry of the navigation drawer, contributed by the module that owns the page (as Elsa Studio's modules do).
/// The text is a key in the module's resources (<paramref name="Resources"/> names the resource set).
/// </summary>
public sealed record PortalNavItem(PortalArea Area, int Order, string Href, string Icon, Type Resources, string TextKey)
{
    /// <summary>Matches only the exact path (dashboards at "/admin" and "/app").</summary>
    public bool Exact { get; init; }

    /// <summary>Shown to tenant admins only (users, connectors).</summary>
    public bool TenantAdminOnly { get; init; }
}

/// <summary>A module's contribution to the portal: the assembly holding its routable pages, and its navigation entries.</summary>
public sealed record PortalModule(Assembly Assembly, IReadOnlyList<PortalNavItem> Navigation);

public static class PortalModules
{
    /// <summary>Registers a module's pages (by their assembly) and navigation entries; the Web host composes all of them.</summary>
    public static IServiceCollection AddPortalModule(this IServiceCollection services, Assembly pages, params PortalNavItem[] navigation)
    {
        services.AddSingleton(new PortalModule(pages, navigation));
        return services;
    }

    /// <summary>The assemblies with routable pages other than the host's own, each once.</summary>
    public static Assembly[] PageAssemblies(this IEnumerable<PortalModule> modules, Assembly host) =>
        modules.Select(m => m.Assembly).Where(a => a != host).Distinct().ToArray();

    public static IEnumerable<PortalNavItem> For(this IEnumerable<PortalModule> modules, PortalArea area) =>
        modules.SelectMany(m => m.Navigation).Where(n => n.Area == area).OrderBy(n => n.Order);
}
