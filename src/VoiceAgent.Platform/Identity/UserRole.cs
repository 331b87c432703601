namespace VoiceAgent.Platform.Identity;

public enum UserRole
{
    SuperAdmin,
    TenantAdmin,
    TenantUser,
}

public static class Roles
{
    public const string SuperAdmin = nameof(UserRole.SuperAdmin);
    public const string TenantAdmin = nameof(UserRole.TenantAdmin);
    public const string TenantUser = nameof(UserRole.TenantUser);
}
