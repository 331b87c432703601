using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Ports;

namespace VoiceAgent.Calendars;

/// <summary>Development only (<c>voiceagent dev seed</c>): the demo tenant books into its sandbox calendar as a confirmed choice.</summary>
public sealed class CalendarDevSeed(VoiceAgentDb db, TenantCalendarChoice choice) : IDemoTenantSeed
{
    public int Order => 1;

    public Task SeedAsync(Guid tenantId, CancellationToken ct) =>
        db.InScopeAsync(s => s.UseTenant(tenantId), () => choice.ConfirmSandboxAsync(tenantId, new Actor(null, "dev-seed"), ct), ct);
}
