using NodaTime;

namespace VoiceAgent.Platform;

/// <summary>
/// The businesses' civil time: Europe/Berlin (the same clock as Vienna and Zurich). The default zone of a tenant's calendar,
/// the zone of invoice periods and of the monthly billing run, and the zone the portal shows times in. The only place
/// the zone is named.
/// </summary>
public static class BusinessTime
{
    public const string ZoneId = "Europe/Berlin";

    public static DateTimeZone Zone { get; } = DateTimeZoneProviders.Tzdb[ZoneId];

    public static TimeZoneInfo ZoneInfo { get; } = TimeZoneInfo.FindSystemTimeZoneById(ZoneId);

    /// <summary>A stored zone id (tenant setting, booking), or <see cref="Zone"/> when it is empty or unknown.</summary>
    public static DateTimeZone ZoneOrDefault(string? zoneId) => DateTimeZoneProviders.Tzdb.GetZoneOrNull(zoneId ?? "") ?? Zone;
}
