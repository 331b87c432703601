namespace VoiceAgent.Platform.Http;

/// <summary>The words of the health report, worst last.</summary>
public static class HealthStates
{
    public const string Operational = "operational";
    public const string Configured = "configured";
    public const string NotConfigured = "not_configured";
    public const string Degraded = "degraded";
    public const string Down = "down";

    /// <summary>The worst of <paramref name="states"/>; not configured parts do not count, nothing at all is operational.</summary>
    public static string Worst(IEnumerable<string> states) =>
        states.Where(s => s != NotConfigured).OrderByDescending(Rank).FirstOrDefault() is { } worst && Rank(worst) > 0 ? worst : Operational;

    private static int Rank(string state) => state switch
    {
        Down => 2,
        Degraded => 1,
        _ => 0,
    };
}
