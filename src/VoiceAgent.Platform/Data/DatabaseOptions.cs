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

    /// <summary>
    /// The app's connection pool size when <see cref="AppConnectionString"/> does not set <c>Maximum Pool Size</c>.
    /// Keep (instances × pool) below PostgreSQL's <c>max_connections</c> (100 by default) minus a reserve for
    /// migrations, backups and psql: requests beyond the pool then wait briefly instead of failing with "too many clients".
    /// </summary>
    [Range(2, 1000)]
    public int MaxPoolSize { get; set; } = 40;
}
