using Hangfire;

namespace VoiceAgent.Platform.Jobs;

/// <summary>For /api/health: operational when some Hangfire server (on any instance) sent a heartbeat within the last minute.</summary>
public sealed class JobsHealth(JobStorage storage, TimeProvider time, ILogger<JobsHealth> logger)
{
    public static readonly TimeSpan HeartbeatWindow = TimeSpan.FromMinutes(1);

    public string Status()
    {
        try
        {
            var since = time.GetUtcNow().UtcDateTime - HeartbeatWindow;
            return storage.GetMonitoringApi().Servers().Any(s => s.Heartbeat is { } beat && beat >= since) ? "operational" : "down";
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or TimeoutException or InvalidOperationException)
        {
            logger.LogWarning("Hangfire monitoring not available: {Error}", ex.Message);
            return "down";
        }
    }
}
