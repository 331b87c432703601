using Microsoft.EntityFrameworkCore;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Resources;
using VoiceAgent.Platform.Tenancy;

namespace VoiceAgent.Calendars;

/// <summary>Which calendar calls book into.</summary>
/// <param name="Provider">google | microsoft | caldav for a connected calendar; null for the sandbox calendar ("Testkalender").</param>
/// <param name="CalendarName">The connected calendar's name; null for the sandbox.</param>
/// <param name="SandboxConfirmed">The tenant chose the sandbox as its calendar (set-up wizard step "Kalender").</param>
/// <param name="Label">What the portal shows: "Google Kalender: Team" or "Testkalender".</param>
public sealed record CalendarChoiceState(string? Provider, string? CalendarName, bool SandboxConfirmed, DateTimeOffset? SandboxConfirmedAt,
    string? SandboxConfirmedBy, string Label)
{
    public bool Sandbox => Provider is null;

    /// <summary>Whether callers are told their appointment is booked: in a connected calendar, or in a confirmed sandbox.
    /// Otherwise a booking in the sandbox comes back pending and the caller only hears that the wish is noted.</summary>
    public bool BookingsConfirmed => !Sandbox || SandboxConfirmed;
}

/// <summary>
/// The tenant's choice of the calendar calls book into, as far as the sandbox is concerned: the sandbox ("Testkalender")
/// is only a real choice once the tenant confirmed it (audited); connecting a calendar is <see cref="ConnectorService"/>'s.
/// </summary>
public sealed class TenantCalendarChoice(VoiceAgentDb db, TimeProvider time)
{
    public const string SandboxConfirmedAudit = "calendar.sandbox_confirmed";

    public async Task<CalendarChoiceState> GetAsync(Guid tenantId, CancellationToken ct)
    {
        var confirmation = await db.SandboxCalendarConfirmations.AsNoTracking().SingleOrDefaultAsync(c => c.TenantId == tenantId, ct);
        var connection = await db.CalendarConnections.AsNoTracking().Where(c => c.TenantId == tenantId && c.Active)
            .Select(c => new { c.Provider, c.CalendarName }).SingleOrDefaultAsync(ct);
        var label = connection is null
            ? Texts.Get("Calendar.Sandbox")
            : ConnectorTexts.Format("Designer.Calendar", ConnectorTexts.Get("Provider." + connection.Provider), connection.CalendarName);
        return new CalendarChoiceState(connection?.Provider, connection?.CalendarName, confirmation is not null, confirmation?.ConfirmedAt,
            confirmation?.ConfirmedBy, label);
    }

    /// <summary>Makes the sandbox the tenant's confirmed calendar: bookings by callers count as booked from now on.</summary>
    /// <returns>Ok(true) (also when it was confirmed before; audited once); NotFound for a tenant outside the caller's scope;
    /// Conflict while a connected calendar takes the bookings.</returns>
    public async Task<Outcome<bool>> ConfirmSandboxAsync(Guid tenantId, Actor actor, CancellationToken ct)
    {
        if (!await db.Tenants.AnyAsync(t => t.Id == tenantId, ct))
        {
            return Outcome<bool>.NotFound();
        }

        var connected = await db.CalendarConnections.AsNoTracking().Where(c => c.TenantId == tenantId && c.Active)
            .Select(c => c.Provider).SingleOrDefaultAsync(ct);
        if (connected is not null)
        {
            return Outcome<bool>.Conflict(ConnectorTexts.Format("Choice.ConnectedCalendarBooks", ConnectorTexts.Get("Provider." + connected)));
        }

        if (await db.SandboxCalendarConfirmations.AnyAsync(c => c.TenantId == tenantId, ct))
        {
            return Outcome<bool>.Ok(true);
        }

        db.SandboxCalendarConfirmations.Add(new SandboxCalendarConfirmation { TenantId = tenantId, ConfirmedAt = time.GetUtcNow(), ConfirmedBy = actor.Email });
        db.Record(time, actor, SandboxConfirmedAudit, tenantId, "sandbox calendar (Testkalender) confirmed as the calendar calls book into");
        await db.SaveChangesAsync(ct);
        return Outcome<bool>.Ok(true);
    }

    internal static Task<bool> IsSandboxConfirmedAsync(VoiceAgentDb db, Guid tenantId, CancellationToken ct) =>
        db.SandboxCalendarConfirmations.AnyAsync(c => c.TenantId == tenantId, ct);
}
