using Microsoft.AspNetCore.Identity;

namespace VoiceAgent.Platform.Identity;

public sealed class AppUser : IdentityUser<Guid>
{
    public Guid? TenantId { get; set; }
    public UserRole Role { get; set; }
    public string DisplayName { get; set; } = "";

    /// <summary>Created by the local dev seed; such accounts cannot sign in when the environment is Production.</summary>
    public bool DevSeeded { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>"light" or "dark"; null follows the operating system.</summary>
    public string? UiTheme { get; set; }

    /// <summary>"de" or "en"; null is German.</summary>
    public string? UiCulture { get; set; }
}
