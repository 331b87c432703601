using VoiceAgent.Platform;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NodaTime;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Tenancy;

namespace VoiceAgent.Calendars;

/// <summary>
/// One connector as the API and the page show it. <c>status</c>: available | connected | broken | coming_soon;
/// <c>configured</c>: whether the platform has the OAuth app credentials (Google, Microsoft).
/// </summary>
public sealed record ConnectorView(
    string Provider,
    string Category,
    string Status,
    bool Configured,
    string? Account,
    string? ServerUrl,
    string? CalendarId,
    string? CalendarName,
    bool Active,
    DateTimeOffset? ConnectedAt,
    string? ConnectedBy,
    DateTimeOffset? LastSuccessAt,
    DateTimeOffset? LastErrorAt,
    string? LastError,
    DateTimeOffset? BrokenAt);

/// <summary>Booking rules the tenant sets: time zone, business hours, slot length and buffer.</summary>
public sealed record CalendarRules(string TimeZone, IReadOnlyDictionary<string, string[]> BusinessHours, int SlotMinutes, int BufferMinutes);

/// <summary>
/// The tenant's connectors: the list (calendars plus the CRM connectors that are coming), CalDAV connect (checked against
/// the server before anything is saved), choosing the calendar calls book into, disconnecting, and the booking rules.
/// Every change is audited. OAuth connects are in <see cref="OAuthConnector"/>.
/// </summary>
public sealed class ConnectorService(
    VoiceAgentDb db,
    ConnectionSecrets secrets,
    ConnectionAccess access,
    CalendarProviderRegistry providers,
    CalDavClient caldav,
    OAuthConnector oauth,
    GoogleOAuth google,
    IOptions<CalendarOptions> options,
    TimeProvider time)
{
    public static readonly IReadOnlyList<string> TimeZones = [BusinessTime.ZoneId, "Europe/Vienna", "Europe/Zurich"];

    private static readonly TimeSpan SetupBudget = TimeSpan.FromSeconds(15);

    public async Task<IReadOnlyList<ConnectorView>> ListAsync(CancellationToken ct)
    {
        var connections = await db.CalendarConnections.AsNoTracking().ToListAsync(ct);
        var result = new List<ConnectorView>();
        foreach (var provider in CalendarProviders.All)
        {
            var configured = provider == CalendarProviders.CalDav || await oauth.IsConfiguredAsync(provider, ct);
            result.Add(connections.FirstOrDefault(c => c.Provider == provider) is { } c
                ? View(c, configured)
                : new ConnectorView(provider, "calendar", "available", configured, null, null, null, null, false, null, null, null, null, null, null));
        }

        result.AddRange(CalendarProviders.ComingSoon.Select(p =>
            new ConnectorView(p, "crm", "coming_soon", false, null, null, null, null, false, null, null, null, null, null, null)));
        return result;
    }

    public static ConnectorView View(CalendarConnection c, bool configured) => new(c.Provider, "calendar", c.Status, configured, c.Account, c.ServerUrl,
        c.CalendarId, c.CalendarName, c.Active, c.ConnectedAt, c.ConnectedBy, c.LastSuccessAt, c.LastErrorAt, c.LastError, c.BrokenAt);

    /// <summary>The calendars of a connection the tenant may book into (read from the provider now, within <paramref name="budget"/>).</summary>
    public async Task<Outcome<IReadOnlyList<CalendarInfo>>> CalendarsAsync(string provider, CancellationToken ct, TimeSpan? budget = null)
    {
        var connection = await db.CalendarConnections.SingleOrDefaultAsync(c => c.Provider == provider, ct);
        if (connection is null)
        {
            return Outcome<IReadOnlyList<CalendarInfo>>.NotFound();
        }

        var session = access.Session(connection, connection.CalendarId ?? "", Zone(await SettingsAsync(connection.TenantId, ct)),
            new CalendarBudget(time, budget ?? SetupBudget));
        try
        {
            var calendars = await access.RunAsync(connection, () => providers.For(provider).CalendarsAsync(session, ct), ct);
            await db.SaveChangesAsync(ct);
            return Outcome<IReadOnlyList<CalendarInfo>>.Ok(calendars);
        }
        catch (Exception ex) when (ex is CalendarUnavailableException or CalendarProviderException or CalendarAuthorizationException)
        {
            await db.SaveChangesAsync(ct);
            return Outcome<IReadOnlyList<CalendarInfo>>.Conflict(ConnectorTexts.Format(
                ex is CalendarAuthorizationException ? "Connector.BrokenReconnect" : "Connector.Unreachable", ConnectorTexts.Get("Provider." + provider)));
        }
    }

    /// <summary>Makes a calendar of the connection the one calls book into (the tenant's only active calendar).</summary>
    public async Task<Outcome<ConnectorView>> SelectCalendarAsync(Guid tenantId, string provider, string? calendarId, Actor actor, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(calendarId))
        {
            return Outcome<ConnectorView>.Invalid("calendarId", ConnectorTexts.Get("Connector.CalendarRequired"));
        }

        var calendars = await CalendarsAsync(provider, ct);
        if (calendars.Kind != OutcomeKind.Ok)
        {
            return new Outcome<ConnectorView>(calendars.Kind, Errors: calendars.Errors, Message: calendars.Message);
        }

        var chosen = calendars.Value!.FirstOrDefault(c => c.Id == calendarId);
        if (chosen is null)
        {
            return Outcome<ConnectorView>.Invalid("calendarId", ConnectorTexts.Get("Connector.CalendarUnknown"));
        }

        var connection = await db.CalendarConnections.SingleAsync(c => c.TenantId == tenantId && c.Provider == provider, ct);
        foreach (var other in await db.CalendarConnections.Where(c => c.TenantId == tenantId && c.Active && c.Id != connection.Id).ToListAsync(ct))
        {
            other.Active = false;
            other.UpdatedAt = time.GetUtcNow();
        }

        // Deactivate first: at most one active connection per tenant (unique index).
        await db.SaveChangesAsync(ct);
        connection.CalendarId = chosen.Id;
        connection.CalendarName = chosen.Name.Length > 300 ? chosen.Name[..300] : chosen.Name;
        connection.Active = true;
        connection.UpdatedAt = time.GetUtcNow();
        // A real calendar replaces the test calendar as the choice: should it be disconnected later, calls fall back to the
        // sandbox unconfirmed (bookings only noted) until the tenant confirms the test calendar again.
        var sandboxChoice = await db.SandboxCalendarConfirmations.SingleOrDefaultAsync(c => c.TenantId == tenantId, ct);
        if (sandboxChoice is not null)
        {
            db.SandboxCalendarConfirmations.Remove(sandboxChoice);
        }

        db.Record(time, actor, ConnectorAudit.CalendarSelected, tenantId,
            $"{provider} {connection.Account}: {chosen.Name} ({chosen.Id}){(sandboxChoice is null ? "" : "; the sandbox calendar is no longer confirmed")}");
        await db.SaveChangesAsync(ct);
        return Outcome<ConnectorView>.Ok(View(connection, true));
    }

    /// <summary>Checks the CalDAV server with the credentials (discovery must find a calendar), then stores the connection.</summary>
    public async Task<Outcome<ConnectorView>> ConnectCalDavAsync(Guid tenantId, string? url, string? username, string? password, Actor actor,
        CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        url = url?.Trim();
        username = username?.Trim();
        if (!Uri.TryCreate(url, UriKind.Absolute, out var server) || server.Scheme is not ("https" or "http")
            || (server.Scheme == "http" && !options.Value.AllowLocalCalDavServers) || !string.IsNullOrEmpty(server.UserInfo) || url!.Length > 2000)
        {
            errors["url"] = [ConnectorTexts.Get("CalDav.UrlInvalid")];
        }

        if (string.IsNullOrEmpty(username) || username.Length > 320)
        {
            errors["username"] = [ConnectorTexts.Get("CalDav.UsernameRequired")];
        }

        if (string.IsNullOrEmpty(password) || password.Length > 1000)
        {
            errors["password"] = [ConnectorTexts.Get("CalDav.PasswordRequired")];
        }

        if (errors.Count > 0)
        {
            return Outcome<ConnectorView>.Invalid(errors);
        }

        IReadOnlyList<CalendarInfo> calendars;
        try
        {
            calendars = await caldav.DiscoverAsync(server!, username!, password!, new CalendarBudget(time, SetupBudget), ct);
        }
        catch (CalendarAuthorizationException)
        {
            db.Record(time, actor, ConnectorAudit.ConnectRefused, tenantId, $"caldav {username}@{server!.Host}: credentials refused");
            await db.SaveChangesAsync(ct);
            return Outcome<ConnectorView>.Invalid("password", ConnectorTexts.Get("CalDav.CredentialsRefused"));
        }
        catch (CalendarProviderException ex) when (ex.Refusal is not CalendarRefusal.None)
        {
            // Our guard refused the server's answer: said plainly, so the tenant knows why the server "does not work".
            db.Record(time, actor, ConnectorAudit.ConnectRefused, tenantId, $"caldav {username}@{server!.Host}: {ex.Refusal} refused ({ex.Message})");
            await db.SaveChangesAsync(ct);
            return Outcome<ConnectorView>.Invalid("url",
                ConnectorTexts.Get(ex.Refusal == CalendarRefusal.TooLarge ? "CalDav.TooLarge" : "CalDav.AddressRefused"));
        }
        catch (Exception ex) when (ex is CalendarUnavailableException or CalendarProviderException or Flows.Runtime.PortException)
        {
            return Outcome<ConnectorView>.Invalid("url", ConnectorTexts.Get("CalDav.Unreachable"));
        }

        if (calendars.Count == 0)
        {
            return Outcome<ConnectorView>.Invalid("url", ConnectorTexts.Get("CalDav.NoCalendar"));
        }

        var now = time.GetUtcNow();
        var connection = await db.CalendarConnections.SingleOrDefaultAsync(c => c.TenantId == tenantId && c.Provider == CalendarProviders.CalDav, ct);
        if (connection is null)
        {
            connection = new CalendarConnection
            {
                Id = Guid.CreateVersion7(now),
                TenantId = tenantId,
                Provider = CalendarProviders.CalDav,
                Status = ConnectionStatus.Connected,
                Account = username!,
                ProtectedSecret = "",
            };
            db.CalendarConnections.Add(connection);
        }

        if (connection.CalendarId is not null && calendars.All(c => c.Id != connection.CalendarId))
        {
            connection.CalendarId = null;
            connection.CalendarName = null;
            connection.Active = false;
        }

        connection.Status = ConnectionStatus.Connected;
        connection.Account = username!;
        connection.ServerUrl = server!.ToString();
        connection.ProtectedSecret = secrets.Protect(new StoredSecret(Password: password));
        connection.ConnectedAt = now;
        connection.ConnectedBy = actor.Email;
        connection.UpdatedAt = now;
        connection.BrokenAt = null;
        connection.LastSuccessAt = now;
        db.Record(time, actor, ConnectorAudit.Connected, tenantId, $"caldav {username} {server.GetLeftPart(UriPartial.Path)} ({calendars.Count} calendars)");
        await db.SaveChangesAsync(ct);
        return Outcome<ConnectorView>.Ok(View(connection, true));
    }

    /// <summary>Removes the connection (Google's grant is revoked too); calls book into the sandbox calendar again.</summary>
    public async Task<bool> DisconnectAsync(Guid tenantId, string provider, Actor actor, CancellationToken ct)
    {
        var connection = await db.CalendarConnections.SingleOrDefaultAsync(c => c.TenantId == tenantId && c.Provider == provider, ct);
        if (connection is null)
        {
            return false;
        }

        if (provider == CalendarProviders.Google)
        {
            await RevokeGoogleAsync(connection, ct);
        }

        db.CalendarConnections.Remove(connection);
        db.Record(time, actor, ConnectorAudit.Disconnected, tenantId, $"{provider} {connection.Account}");
        await db.SaveChangesAsync(ct);
        return true;
    }

    public async Task<CalendarRules> RulesAsync(Guid tenantId, CancellationToken ct)
    {
        var settings = await SettingsAsync(tenantId, ct);
        var hours = BusinessHours.Parse(settings.BusinessHours).ToJson();
        return new CalendarRules(settings.TimeZone, JsonSerializer.Deserialize<Dictionary<string, string[]>>(hours)!, settings.SlotMinutes,
            settings.BufferMinutes);
    }

    public async Task<Outcome<CalendarRules>> SaveRulesAsync(Guid tenantId, CalendarRules? rules, Actor actor, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (rules is null)
        {
            return Outcome<CalendarRules>.Invalid("timeZone", ConnectorTexts.Get("Rules.TimeZoneInvalid"));
        }

        if (!TimeZones.Contains(rules.TimeZone) && DateTimeZoneProviders.Tzdb.GetZoneOrNull(rules.TimeZone ?? "") is null)
        {
            errors["timeZone"] = [ConnectorTexts.Get("Rules.TimeZoneInvalid")];
        }

        if (rules.SlotMinutes is < 5 or > 240)
        {
            errors["slotMinutes"] = [ConnectorTexts.Get("Rules.SlotInvalid")];
        }

        if (rules.BufferMinutes is < 0 or > 120)
        {
            errors["bufferMinutes"] = [ConnectorTexts.Get("Rules.BufferInvalid")];
        }

        string? hoursJson = null;
        try
        {
            hoursJson = BusinessHours.Parse(JsonSerializer.Serialize(rules.BusinessHours ?? new Dictionary<string, string[]>())).ToJson();
        }
        catch (FormatException ex)
        {
            errors["businessHours"] = [ex.Message];
        }

        if (errors.Count > 0)
        {
            return Outcome<CalendarRules>.Invalid(errors);
        }

        var settings = await db.CalendarSettings.SingleOrDefaultAsync(s => s.TenantId == tenantId, ct);
        if (settings is null)
        {
            settings = new CalendarSettings { TenantId = tenantId };
            db.CalendarSettings.Add(settings);
        }

        settings.TimeZone = rules.TimeZone!;
        settings.BusinessHours = hoursJson!;
        settings.SlotMinutes = rules.SlotMinutes;
        settings.BufferMinutes = rules.BufferMinutes;
        settings.UpdatedAt = time.GetUtcNow();
        db.Record(time, actor, ConnectorAudit.SettingsChanged, tenantId,
            $"{settings.TimeZone}, {settings.SlotMinutes} min, buffer {settings.BufferMinutes} min, {hoursJson}");
        await db.SaveChangesAsync(ct);
        return Outcome<CalendarRules>.Ok(await RulesAsync(tenantId, ct));
    }

    /// <summary>The latest bookings made through connections (newest first), for the page.</summary>
    public Task<List<CalendarBooking>> RecentBookingsAsync(int take, CancellationToken ct) =>
        db.CalendarBookings.AsNoTracking().OrderByDescending(b => b.CreatedAt).Take(take).ToListAsync(ct);

    private async Task RevokeGoogleAsync(CalendarConnection connection, CancellationToken ct)
    {
        try
        {
            var secret = secrets.Unprotect(connection.ProtectedSecret);
            if (secret.RefreshToken is { } token)
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(5));
                await google.RevokeAsync(token, timeout.Token);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Revocation is a courtesy; the tokens are deleted with the connection either way.
            access.Failed(connection, "Revoke: " + ex.Message);
        }
    }

    private async Task<CalendarSettings> SettingsAsync(Guid tenantId, CancellationToken ct) =>
        await db.CalendarSettings.AsNoTracking().SingleOrDefaultAsync(s => s.TenantId == tenantId, ct) ?? new CalendarSettings { TenantId = tenantId };

    private static DateTimeZone Zone(CalendarSettings settings) =>
        BusinessTime.ZoneOrDefault(settings.TimeZone);
}
