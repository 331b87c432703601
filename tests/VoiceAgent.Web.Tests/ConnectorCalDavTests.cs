using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using VoiceAgent.Testing;

namespace VoiceAgent.Web.Tests;

/// <summary>Connecting a CalDAV server (a real Radicale) through the API and booking into it from a simulated call.</summary>
public sealed class ConnectorCalDavTests : IntegrationTest
{
    // The connector host runs the jobs with the fakes' settings; the test's default host runs none.
    protected override Dictionary<string, string?> AppSettings => new() { ["Jobs:RunServer"] = "false", ["Calendars:RunWorker"] = "false" };

    [Fact]
    public async Task The_server_is_checked_before_anything_is_saved_and_the_password_is_stored_encrypted()
    {
        await using var radicale = await RadicaleServer.StartAsync();
        await radicale.CreateCalendarAsync("termine", "Termine");
        await using var host = await ConnectorTestHost.StartAsync(Database);
        var (tenantId, _, admin) = await host.TenantAsync("chef@praxis.de");

        var wrongPassword = await admin.PostAsJsonAsync("/api/tenant/connectors/caldav",
            new { url = radicale.PrincipalUrl, username = RadicaleServer.User, password = "falsch-falsch" });
        var nobodyThere = await admin.PostAsJsonAsync("/api/tenant/connectors/caldav",
            new { url = "http://127.0.0.1:9/dav/", username = RadicaleServer.User, password = RadicaleServer.Password });
        var empty = await admin.PostAsJsonAsync("/api/tenant/connectors/caldav", new { url = "kein-url", username = "", password = "" });

        Assert.Equal(["password"], (await FieldErrors(wrongPassword)).Keys.ToArray());
        Assert.Equal(["url"], (await FieldErrors(nobodyThere)).Keys.ToArray());
        Assert.Equal(["password", "url", "username"], (await FieldErrors(empty)).Keys.Order().ToArray());
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM calendar_connections"));

        var connected = await admin.PostAsJsonAsync("/api/tenant/connectors/caldav",
            new { url = radicale.PrincipalUrl, username = RadicaleServer.User, password = RadicaleServer.Password });

        Assert.Equal(HttpStatusCode.Created, connected.StatusCode);
        Assert.Equal("connected", (await Json(connected)).GetProperty("status").GetString());
        Assert.Equal(0, await CountAsync($"SELECT count(*) FROM calendar_connections WHERE protected_secret LIKE '%{RadicaleServer.Password}%'"));
        Assert.Equal(0, await CountAsync($"SELECT count(*) FROM audit_entries WHERE details LIKE '%{RadicaleServer.Password}%'"));
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM audit_entries WHERE tenant_id = '{tenantId}' AND action = 'connector.connected'"));
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM audit_entries WHERE tenant_id = '{tenantId}' AND action = 'connector.connect_refused'"));
    }

    [Fact]
    public async Task A_simulated_call_books_into_the_caldav_calendar_and_cancels_there()
    {
        await using var radicale = await RadicaleServer.StartAsync();
        var calendar = await radicale.CreateCalendarAsync("termine", "Termine Praxis");
        await using var host = await ConnectorTestHost.StartAsync(Database);
        var (tenantId, flowId, admin) = await host.TenantAsync("chef@praxis.de");
        (await admin.PostAsJsonAsync("/api/tenant/connectors/caldav",
            new { url = radicale.PrincipalUrl, username = RadicaleServer.User, password = RadicaleServer.Password })).EnsureSuccessStatusCode();
        var calendars = await admin.GetFromJsonAsync<List<CalendarDto>>("/api/tenant/connectors/caldav/calendars");
        Assert.Equal(calendar.ToString(), Assert.Single(calendars!).Id);
        (await admin.PutAsJsonAsync("/api/tenant/connectors/caldav/calendar", new { calendarId = calendar.ToString() })).EnsureSuccessStatusCode();

        var (call, _) = await SimulatedCall.StartAsync(admin, flowId, "+4917612345678");
        var offer = await call.SayAsync("Ich hätte gern einen Termin");
        var slotText = SimulatedCall.Variable(offer, "slot", "text");
        var slotStart = DateTimeOffset.Parse(SimulatedCall.Variable(offer, "slot", "start"), CultureInfo.InvariantCulture);
        var booked = await call.SayAsync("Ja");

        Assert.Equal($"Ihr Termin am {slotText} ist eingetragen. Wir freuen uns auf Sie.", SimulatedCall.Lines(booked)[0]);
        var ics = Assert.Single(radicale.StoredEvents(calendar));
        Assert.Contains($"DTSTART;TZID=Europe/Berlin:{slotStart:yyyyMMdd'T'HHmmss}", ics);
        Assert.Contains("+4917612345678", ics);

        var told = await call.SayAsync("Wann ist mein Termin?");
        Assert.Equal($"Ihr nächster Termin ist am {slotText}.", SimulatedCall.Lines(told)[0]);
        await call.SayAsync("Ich möchte den Termin absagen");
        var cancelled = await call.SayAsync("Ja");
        Assert.Equal("Ihr Termin ist abgesagt.", SimulatedCall.Lines(cancelled)[0]);
        Assert.Empty(radicale.StoredEvents(calendar));
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM calendar_bookings WHERE tenant_id = '{tenantId}' AND status = 'cancelled'"));
    }

    private sealed record CalendarDto(string Id, string Name, bool Primary);
}
