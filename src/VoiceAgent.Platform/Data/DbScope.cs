namespace VoiceAgent.Platform.Data;

/// <summary>
/// Who the current unit of work acts for. Resolved once at the edge (request middleware, CLI command) and applied to
/// every transaction as <c>app.tenant_id</c> / <c>app.platform</c>, which the row-level-security policies read.
/// Platform scope (all tenants) is an explicit opt-in for super-admin work, sign-in and operator commands.
/// </summary>
public sealed class DbScope
{
    public Guid? TenantId { get; private set; }

    public bool IsPlatform { get; private set; }

    public void UseTenant(Guid tenantId)
    {
        TenantId = tenantId;
        IsPlatform = false;
    }

    public void UsePlatform()
    {
        TenantId = null;
        IsPlatform = true;
    }

    public void Clear()
    {
        TenantId = null;
        IsPlatform = false;
    }
}
