using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using VoiceAgent.Testing.Fakes;

namespace VoiceAgent.Web.Tests;

/// <summary>
/// A simulated call with the sample flow "Terminannahme" finds slots in and books into Google Calendar and Microsoft 365
/// (their in-process fakes, throttling and server errors included); deferred bookings are finished by the background job.
/// </summary>
public sealed class ConnectorBookingTests : IntegrationTest
{
    // The connector host runs the jobs with the fakes' settings; the test's default host runs none.
    protected override Dictionary<string, string?> AppSettings => new() { ["Jobs:RunServer"] = "false", ["Calendars:RunWorker"] = "false" };

    private const string Caller = "+4915112345678";

    [Fact]
    public async Task A_simulated_call_finds_slots_in_google_and_books_into_it_despite_throttling()
    {
        await using var host = await ConnectorTestHost.StartAsync(Database);
        var (tenantId, flowId, admin) = await host.TenantAsync("chef@praxis.de");
        await host.ConnectAsync(admin, "google");
        // Learn the first free slot, then someone enters an appointment there directly in Google.
        var (probe, _) = await SimulatedCall.StartAsync(admin, flowId, "+4930111111");
        var firstSlot = DateTimeOffset.Parse(SimulatedCall.Variable(await probe.SayAsync("Ich hätte gern einen Termin"), "slot", "start"),
            CultureInfo.InvariantCulture);
        host.Google.AddEvent(firstSlot, firstSlot.AddMinutes(30), "Kontrolle Frau Huber");
        host.Google.Fail(new FakeGoogleCalendarServer.Failure(429, RetryAfterSeconds: 1), new FakeGoogleCalendarServer.Failure(503));

        var (call, _) = await SimulatedCall.StartAsync(admin, flowId, Caller);
        var offer = await call.SayAsync("Ich hätte gern einen Termin");
        var slotText = SimulatedCall.Variable(offer, "slot", "text");
        var slotStart = DateTimeOffset.Parse(SimulatedCall.Variable(offer, "slot", "start"), CultureInfo.InvariantCulture);
        Assert.True(slotStart >= firstSlot.AddMinutes(30), $"{slotStart} overlaps the appointment at {firstSlot}");
        var booked = await call.SayAsync("Ja, gerne");

        Assert.Equal([$"Ihr Termin am {slotText} ist eingetragen. Wir freuen uns auf Sie.", "Kann ich sonst noch etwas für Sie tun?"],
            SimulatedCall.Lines(booked));
        var evt = Assert.Single(host.Google.Events, e => e.Summary.Contains(Caller, StringComparison.Ordinal));
        Assert.Equal(slotStart, evt.Start);
        Assert.Equal(slotStart.AddMinutes(30), evt.End);
        Assert.StartsWith("va", evt.Id);
        Assert.Contains($"Anrufer: {Caller}", evt.Description);
        Assert.Equal("Europe/Berlin", evt.TimeZone);
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM calendar_bookings WHERE tenant_id = '{tenantId}' AND status = 'created'"));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM sandbox_events"));

        var told = await call.SayAsync("Wann ist mein Termin?");
        Assert.Equal($"Ihr nächster Termin ist am {slotText}.", SimulatedCall.Lines(told)[0]);
    }

    [Fact]
    public async Task A_simulated_call_finds_slots_in_microsoft_365_and_books_into_it_despite_throttling()
    {
        await using var host = await ConnectorTestHost.StartAsync(Database);
        var (tenantId, flowId, admin) = await host.TenantAsync("chef@praxis.de");
        await host.ConnectAsync(admin, "microsoft", FakeGraphServer.SecondCalendar);
        var (call, _) = await SimulatedCall.StartAsync(admin, flowId, Caller);
        host.Graph.Fail(new FakeGraphServer.Failure(429, RetryAfterSeconds: 1));

        var offer = await call.SayAsync("Ich möchte einen Termin vereinbaren");
        var slotText = SimulatedCall.Variable(offer, "slot", "text");
        var slotStart = DateTimeOffset.Parse(SimulatedCall.Variable(offer, "slot", "start"), CultureInfo.InvariantCulture);
        host.Graph.Fail(new FakeGraphServer.Failure(503, RetryAfterSeconds: 0));
        var booked = await call.SayAsync("Ja");

        Assert.Equal($"Ihr Termin am {slotText} ist eingetragen. Wir freuen uns auf Sie.", SimulatedCall.Lines(booked)[0]);
        var evt = Assert.Single(host.Graph.Events);
        Assert.Equal(FakeGraphServer.SecondCalendar, evt.CalendarId);
        Assert.Equal(slotStart, evt.Start);
        Assert.Contains(Caller, evt.Body);
        Assert.NotNull(evt.TransactionId);
        Assert.Equal("W. Europe Standard Time", (string?)evt.Raw["start"]!["timeZone"]);
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM calendar_bookings WHERE tenant_id = '{tenantId}' AND status = 'created'"));

        // Cancelling by phone deletes it in Outlook.
        await call.SayAsync("Nein danke");
        var (second, _) = await SimulatedCall.StartAsync(admin, flowId, Caller);
        var ask = await second.SayAsync("Ich möchte meinen Termin absagen");
        Assert.Equal($"Möchten Sie Ihren Termin am {slotText} absagen?", SimulatedCall.Lines(ask)[0]);
        var cancelled = await second.SayAsync("Ja");
        Assert.Equal("Ihr Termin ist abgesagt.", SimulatedCall.Lines(cancelled)[0]);
        Assert.Empty(host.Graph.Events);
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM calendar_bookings WHERE tenant_id = '{tenantId}' AND status = 'cancelled'"));
    }

    [Theory]
    [InlineData("google")]
    [InlineData("microsoft")]
    public async Task A_create_retried_after_a_lost_answer_yields_one_event(string provider)
    {
        await using var host = await ConnectorTestHost.StartAsync(Database);
        var (_, flowId, admin) = await host.TenantAsync("chef@praxis.de");
        await host.ConnectAsync(admin, provider);
        var (call, _) = await SimulatedCall.StartAsync(admin, flowId, Caller);
        await call.SayAsync("Ich hätte gern einen Termin");
        // The busy check passes, the create takes effect but its answer is lost (5xx): the retry must not book twice.
        Queue(host, provider);

        var booked = await call.SayAsync("Ja");

        Assert.Contains("ist eingetragen", SimulatedCall.Lines(booked)[0]);
        var count = provider == "google" ? host.Google.Events.Count : host.Graph.Events.Count;
        Assert.Equal(1, count);
    }

    [Fact]
    public async Task A_calendar_slower_than_the_call_budget_defers_the_booking_and_the_job_finishes_it_and_tells_the_tenant()
    {
        await using var host = await ConnectorTestHost.StartAsync(Database);
        var (tenantId, flowId, admin) = await host.TenantAsync("chef@praxis.de");
        await host.ConnectAsync(admin, "google");
        var (call, _) = await SimulatedCall.StartAsync(admin, flowId, Caller);
        var offer = await call.SayAsync("Ich hätte gern einen Termin");
        var slotText = SimulatedCall.Variable(offer, "slot", "text");
        host.Google.Fail(new FakeGoogleCalendarServer.Failure(429, RetryAfterSeconds: 30));

        var turn = await call.SayAsync("Ja");

        var lines = SimulatedCall.Lines(turn);
        Assert.Equal($"Ich habe Ihren Wunschtermin am {slotText} notiert. Die Buchung dauert gerade etwas länger; Sie erhalten die Bestätigung in Kürze.",
            lines[0]);
        Assert.Equal("Kann ich sonst noch etwas für Sie tun?", lines[1]);
        Assert.True(turn.GetProperty("variables").GetProperty("event").GetProperty("pending").GetBoolean());
        Assert.Empty(host.Google.Events);
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM calendar_bookings WHERE tenant_id = '{tenantId}' AND status = 'pending' AND deferred"));

        // The caller asking again hears the pending appointment; nothing is lost.
        var told = await call.SayAsync("Wann ist mein Termin?");
        Assert.Equal($"Ihr nächster Termin ist am {slotText}.", SimulatedCall.Lines(told)[0]);

        Assert.Equal(1, await host.RunOutboxAsync());

        var evt = Assert.Single(host.Google.Events);
        Assert.Contains(Caller, evt.Description);
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM calendar_bookings WHERE tenant_id = '{tenantId}' AND status = 'created'"));
        var mail = Assert.Single(await host.MailsAsync("ist jetzt in Ihrem Kalender eingetragen"), m => m.Contains("ist jetzt in Ihrem Kalender eingetragen", StringComparison.Ordinal));
        Assert.Contains(slotText, mail);
        Assert.Contains(Caller, mail);
        Assert.Equal(0, await host.RunOutboxAsync());
        Assert.Single(host.Google.Events);
    }

    [Fact]
    public async Task A_microsoft_calendar_asking_for_a_longer_wait_than_the_call_has_defers_the_booking_and_the_job_books_it_once()
    {
        await using var host = await ConnectorTestHost.StartAsync(Database);
        var (tenantId, flowId, admin) = await host.TenantAsync("chef@praxis.de");
        await host.ConnectAsync(admin, "microsoft");
        var (call, _) = await SimulatedCall.StartAsync(admin, flowId, Caller);
        await call.SayAsync("Ich hätte gern einen Termin");
        // Free/busy came from the mailbox's schedule.
        Assert.Contains(host.Graph.Requests, r => r.Method == "POST" && r.Path == "me/calendar/getSchedule");
        host.Graph.Fail(new FakeGraphServer.Failure(429, RetryAfterSeconds: 30));

        var turn = await call.SayAsync("Ja");

        Assert.True(turn.GetProperty("variables").GetProperty("event").GetProperty("pending").GetBoolean());
        Assert.Empty(host.Graph.Events);
        Assert.Equal(1, await host.RunOutboxAsync());
        var evt = Assert.Single(host.Graph.Events);
        Assert.Contains(Caller, evt.Body);
        Assert.NotNull(evt.TransactionId);
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM calendar_bookings WHERE tenant_id = '{tenantId}' AND status = 'created'"));
        Assert.Equal(0, await host.RunOutboxAsync());
        Assert.Single(host.Graph.Events);
    }

    [Fact]
    public async Task A_deferred_booking_is_finished_by_the_hangfire_job_the_deferral_started()
    {
        await using var host = await ConnectorTestHost.StartAsync(Database, new() { ["Calendars:RunWorker"] = "true" });
        var (tenantId, flowId, admin) = await host.TenantAsync("chef@praxis.de");
        await host.ConnectAsync(admin, "google");
        var (call, _) = await SimulatedCall.StartAsync(admin, flowId, Caller);
        var offer = await call.SayAsync("Ich hätte gern einen Termin");
        var slotText = SimulatedCall.Variable(offer, "slot", "text");
        host.Google.Fail(new FakeGoogleCalendarServer.Failure(429, RetryAfterSeconds: 30));

        var turn = await call.SayAsync("Ja");
        Assert.True(turn.GetProperty("variables").GetProperty("event").GetProperty("pending").GetBoolean());

        // No test code drives the outbox: the Hangfire job scheduled by the deferral books it and mails the tenant.
        await JobsProbe.UntilAsync(async () => await CountAsync($"SELECT count(*) FROM calendar_bookings WHERE tenant_id = '{tenantId}' AND status = 'created'") == 1,
            what: "booking created by the job");
        Assert.Single(host.Google.Events);
        var mail = Assert.Single(await host.MailsAsync("ist jetzt in Ihrem Kalender eingetragen"), m => m.Contains("ist jetzt in Ihrem Kalender eingetragen", StringComparison.Ordinal));
        Assert.Contains(slotText, mail);
        // Hangfire records the job's success after its body (booking, mail) has committed.
        await JobsProbe.UntilAsync(async () => await CountAsync(
                "SELECT count(*) FROM hangfire.job WHERE invocationdata::text LIKE '%CalendarBookingJob%' AND statename = 'Succeeded'") >= 1,
            what: "the booking job recorded as succeeded");
    }

    [Fact]
    public async Task A_deferred_booking_whose_slot_got_taken_meanwhile_is_reported_to_the_tenant()
    {
        await using var host = await ConnectorTestHost.StartAsync(Database);
        var (tenantId, flowId, admin) = await host.TenantAsync("chef@praxis.de");
        await host.ConnectAsync(admin, "microsoft");
        var (call, _) = await SimulatedCall.StartAsync(admin, flowId, Caller);
        var offer = await call.SayAsync("Ich hätte gern einen Termin");
        var slotStart = DateTimeOffset.Parse(SimulatedCall.Variable(offer, "slot", "start"), CultureInfo.InvariantCulture);
        host.Graph.Fail(new FakeGraphServer.Failure(503), new FakeGraphServer.Failure(503), new FakeGraphServer.Failure(503),
            new FakeGraphServer.Failure(503));
        await call.SayAsync("Ja");
        host.Graph.AddEvent(slotStart, slotStart.AddHours(1), "Notfall");

        Assert.Equal(1, await host.RunOutboxAsync());

        Assert.Single(host.Graph.Events);
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM calendar_bookings WHERE tenant_id = '{tenantId}' AND status = 'conflict'"));
        var mail = Assert.Single(await host.MailsAsync("inzwischen belegt"), m => m.Contains("inzwischen belegt", StringComparison.Ordinal));
        Assert.Contains("Bitte rufen Sie den Anrufer zurück", mail);
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM audit_entries WHERE tenant_id = '{tenantId}' AND action = 'booking.failed'"));
    }

    [Fact]
    public async Task A_grant_revoked_during_the_call_loses_nothing_the_booking_is_made_after_reconnecting()
    {
        await using var host = await ConnectorTestHost.StartAsync(Database);
        var (tenantId, flowId, admin) = await host.TenantAsync("chef@praxis.de");
        await host.ConnectAsync(admin, "google");
        var (call, _) = await SimulatedCall.StartAsync(admin, flowId, Caller);
        var offer = await call.SayAsync("Ich hätte gern einen Termin");
        var slotText = SimulatedCall.Variable(offer, "slot", "text");
        host.Google.OAuth.RevokeGrant();

        var turn = await call.SayAsync("Ja");

        Assert.StartsWith($"Ich habe Ihren Wunschtermin am {slotText} notiert.", SimulatedCall.Lines(turn)[0]);
        Assert.Equal("broken", (await host.ConnectorAsync(admin, "google")).GetProperty("status").GetString());
        Assert.Single(await host.MailsAsync("funktioniert nicht mehr"), m => m.Contains("funktioniert nicht mehr", StringComparison.Ordinal));
        // While broken the job keeps the booking (no mail yet, no event).
        Assert.Equal(1, await host.RunOutboxAsync());
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM calendar_bookings WHERE tenant_id = '{tenantId}' AND status = 'pending'"));
        Assert.Empty(host.Google.Events);

        await host.ConnectAsync(admin, "google");
        await ExecuteAsync("UPDATE calendar_bookings SET next_attempt_at = now() WHERE status = 'pending'");
        Assert.Equal(1, await host.RunOutboxAsync());

        Assert.Single(host.Google.Events);
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM calendar_bookings WHERE tenant_id = '{tenantId}' AND status = 'created'"));
        Assert.Single(await host.MailsAsync("ist jetzt in Ihrem Kalender eingetragen"), m => m.Contains("ist jetzt in Ihrem Kalender eingetragen", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Booking_rules_are_validated_audited_and_used_for_slots()
    {
        await using var host = await ConnectorTestHost.StartAsync(Database);
        var (tenantId, flowId, admin) = await host.TenantAsync("chef@praxis.de");
        await host.ConnectAsync(admin, "google");

        var invalid = await admin.PutAsJsonAsync("/api/tenant/calendar-settings",
            new { timeZone = "Mars/Olympus", businessHours = new { mon = new[] { "17:00-09:00" } }, slotMinutes = 2, bufferMinutes = 500 });
        var errors = (await Json(invalid)).GetProperty("errors");
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.All(new[] { "timeZone", "slotMinutes", "bufferMinutes", "businessHours" }, f => Assert.True(errors.TryGetProperty(f, out _), f));

        // Open only on Saturdays 10–12, hourly slots, in Vienna.
        var saved = await admin.PutAsJsonAsync("/api/tenant/calendar-settings",
            new { timeZone = "Europe/Vienna", businessHours = new { sat = new[] { "10:00-12:00" } }, slotMinutes = 60, bufferMinutes = 15 });
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM audit_entries WHERE tenant_id = '{tenantId}' AND action = 'calendar.settings_changed'"));

        var (call, _) = await SimulatedCall.StartAsync(admin, flowId, Caller);
        var offer = await call.SayAsync("Ich hätte gern einen Termin");
        var start = DateTimeOffset.Parse(SimulatedCall.Variable(offer, "slot", "start"), CultureInfo.InvariantCulture);
        Assert.Equal(DayOfWeek.Saturday, start.DayOfWeek);
        Assert.Contains(start.Hour, new[] { 10, 11 });
        Assert.StartsWith("Samstag", SimulatedCall.Variable(offer, "slot", "text"));
    }

    [Fact]
    public async Task The_designer_offers_the_connected_calendar()
    {
        await using var host = await ConnectorTestHost.StartAsync(Database);
        var (_, _, admin) = await host.TenantAsync("chef@praxis.de");
        await host.ConnectAsync(admin, "google", FakeGoogleCalendarServer.TeamCalendar);

        var options = await admin.GetFromJsonAsync<JsonElement>("/api/flows/designer-options");

        var calendar = Assert.Single(options.GetProperty("calendars").EnumerateArray());
        Assert.Equal($"google:{FakeGoogleCalendarServer.TeamCalendar}", calendar.GetProperty("value").GetString());
        Assert.Equal("Google Kalender: Team (Buchungskalender)", calendar.GetProperty("label").GetString());
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(Database.OwnerConnectionString);
        await connection.OpenAsync();
        await using var cmd = new Npgsql.NpgsqlCommand(sql, connection);
        await cmd.ExecuteNonQueryAsync();
    }

    private static void Queue(ConnectorTestHost host, string provider)
    {
        if (provider == "google")
        {
            host.Google.Fail(FakeGoogleCalendarServer.Failure.None, new FakeGoogleCalendarServer.Failure(503, AfterEffect: true));
        }
        else
        {
            host.Graph.Fail(FakeGraphServer.Failure.None, new FakeGraphServer.Failure(504, AfterEffect: true));
        }
    }
}
