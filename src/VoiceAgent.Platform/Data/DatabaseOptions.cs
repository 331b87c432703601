using System.ComponentModel.DataAnnotations;

namespace VoiceAgent.Platform.Data;

/// <summary>
/// Two roles: the schema owner runs migrations (deploy step); the app role only reads and writes rows, so
/// row-level security applies to everything the running app does.
/// </summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    [Required]
    public string AppConnectionString { get; set; } = "";

    public string? OwnerConnectionString { get; set; }
}
