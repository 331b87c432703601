using Microsoft.Extensions.Options;
using NodaTime;
using VoiceAgent.Activities.Ports;
using VoiceAgent.Calendars;
using VoiceAgent.Testing.Fakes;

namespace VoiceAgent.Platform.Tests.Calendars;

/// <summary>
/// Appointments across the DST changes of 2026 (29 March 02:00 → 03:00, 25 October 03:00 → 02:00) in Europe/Berlin and
/// Europe/Vienna: slot finding, and the start/end each connector writes and reads back.
/// </summary>
public sealed class DaylightSavingTests
{
    private static readonly SlotRequest AnySlot = new(60, 1, 10, null, null, null, []);

    [Theory]
    [InlineData("Europe/Berlin")]
    [InlineData("Europe/Vienna")]
    public void Slots_on_the_spring_change_skip_the_missing_hour_and_carry_the_new_offset(string zoneId)
    {
        var zone = DateTimeZoneProviders.Tzdb[zoneId];
        var options = new SlotFinder.Options(zone, BusinessHours.Parse("""{"sun":["00:00-06:00"]}"""), 60, 0);

        var slots = SlotFinder.Find(AnySlot with { PreferredDate = "2026-03-29" }, options, Instant.FromUtc(2026, 3, 28, 12, 0), []);

        Assert.Equal(
            ["2026-03-29T00:00:00+01:00", "2026-03-29T01:00:00+01:00", "2026-03-29T03:00:00+02:00", "2026-03-29T04:00:00+02:00", "2026-03-29T05:00:00+02:00"],
            slots.Select(s => s.Start.ToString("yyyy-MM-dd'T'HH:mm:sszzz")).ToArray());
        Assert.Equal("Sonntag, 29. März um 3 Uhr", slots[2].Text);
        Assert.Equal(TimeSpan.FromHours(1), slots[2].Start - slots[1].Start);
    }

    [Theory]
    [InlineData("Europe/Berlin")]
    [InlineData("Europe/Vienna")]
    public void Slots_on_the_autumn_change_offer_the_repeated_hour_once(string zoneId)
    {
        var zone = DateTimeZoneProviders.Tzdb[zoneId];
        var options = new SlotFinder.Options(zone, BusinessHours.Parse("""{"sun":["00:00-05:00"]}"""), 60, 0);

        var slots = SlotFinder.Find(AnySlot with { PreferredDate = "2026-10-25" }, options, Instant.FromUtc(2026, 10, 24, 12, 0), []);

        Assert.Equal(
            ["2026-10-25T00:00:00+02:00", "2026-10-25T01:00:00+02:00", "2026-10-25T02:00:00+02:00", "2026-10-25T03:00:00+01:00", "2026-10-25T04:00:00+01:00"],
            slots.Select(s => s.Start.ToString("yyyy-MM-dd'T'HH:mm:sszzz")).ToArray());
        Assert.Equal(TimeSpan.FromHours(2), slots[3].Start - slots[2].Start);
    }

    [Theory]
    [InlineData("Europe/Berlin")]
    [InlineData("Europe/Vienna")]
    public void Busy_time_read_in_utc_blocks_the_right_local_slot_after_the_switch(string zoneId)
    {
        var zone = DateTimeZoneProviders.Tzdb[zoneId];
        var options = new SlotFinder.Options(zone, BusinessHours.Parse("""{"mon":["09:00-11:00"]}"""), 60, 0);
        // 07:00 UTC is 09:00 local on the Monday after the change (it would be 08:00 the week before).
        var busy = (Instant.FromUtc(2026, 3, 30, 7, 0), Instant.FromUtc(2026, 3, 30, 8, 0));

        var slots = SlotFinder.Find(AnySlot with { PreferredDate = "2026-03-30" }, options, Instant.FromUtc(2026, 3, 29, 12, 0), [busy]);

        Assert.Equal("2026-03-30T10:00:00+02:00", Assert.Single(slots).Start.ToString("yyyy-MM-dd'T'HH:mm:sszzz"));
    }

    [Theory]
    [InlineData("Europe/Berlin")]
    [InlineData("Europe/Vienna")]
    public async Task Google_events_carry_the_tenants_offset_on_each_side_of_the_switch(string zoneId)
    {
        await using var google = await FakeGoogleCalendarServer.StartAsync();
        var zone = DateTimeZoneProviders.Tzdb[zoneId];
        using var http = new HttpClient();
        var client = new GoogleCalendarClient(http, Options.Create(new CalendarOptions { Google = { ApiBaseUrl = google.ApiBaseUrl } }));
        var session = OAuthSession(CalendarProviders.Google, FakeGoogleCalendarServer.PrimaryCalendar, zone, google.OAuth.IssueAccessToken());

        await client.CreateAsync(session, Event("va00000000000000000000000001", zone, new LocalDateTime(2026, 3, 27, 9, 0)), default);
        var after = await client.CreateAsync(session, Event("va00000000000000000000000002", zone, new LocalDateTime(2026, 3, 30, 9, 0)), default);

        var written = google.Events.OrderBy(e => e.Start).ToList();
        Assert.Equal("2026-03-27T09:00:00+01:00", (string?)written[0].Raw["start"]!["dateTime"]);
        Assert.Equal("2026-03-30T09:00:00+02:00", (string?)written[1].Raw["start"]!["dateTime"]);
        Assert.Equal("2026-03-30T09:30:00+02:00", (string?)written[1].Raw["end"]!["dateTime"]);
        Assert.All(written, e => Assert.Equal(zoneId, (string?)e.Raw["start"]!["timeZone"]));
        Assert.Equal(Instant.FromUtc(2026, 3, 30, 7, 0), after.Start);
        Assert.Equal(new DateTimeOffset(2026, 3, 27, 8, 0, 0, TimeSpan.Zero), written[0].Start);
    }

    [Theory]
    [InlineData("Europe/Berlin")]
    [InlineData("Europe/Vienna")]
    public async Task Graph_events_are_wall_clock_time_in_the_windows_zone_and_read_back_in_utc(string zoneId)
    {
        await using var graph = await FakeGraphServer.StartAsync();
        var zone = DateTimeZoneProviders.Tzdb[zoneId];
        using var http = new HttpClient();
        var client = new GraphCalendarClient(http, Options.Create(new CalendarOptions { Microsoft = { GraphBaseUrl = graph.GraphBaseUrl } }));
        var session = OAuthSession(CalendarProviders.Microsoft, FakeGraphServer.DefaultCalendar, zone, graph.OAuth.IssueAccessToken());

        await client.CreateAsync(session, Event("va10000000000000000000000001", zone, new LocalDateTime(2026, 10, 23, 9, 0)), default);
        await client.CreateAsync(session, Event("va10000000000000000000000002", zone, new LocalDateTime(2026, 10, 26, 9, 0)), default);

        var raw = graph.Events.OrderBy(e => e.Start).Select(e => e.Raw).ToList();
        Assert.Equal("2026-10-23T09:00:00", (string?)raw[0]["start"]!["dateTime"]);
        Assert.Equal("2026-10-26T09:00:00", (string?)raw[1]["start"]!["dateTime"]);
        Assert.All(raw, r => Assert.Equal("W. Europe Standard Time", (string?)r["start"]!["timeZone"]));
        var read = await client.EventsAsync(session, Instant.FromUtc(2026, 10, 20, 0, 0), Instant.FromUtc(2026, 10, 31, 0, 0), null, default);
        Assert.Equal([Instant.FromUtc(2026, 10, 23, 7, 0), Instant.FromUtc(2026, 10, 26, 8, 0)], read.Select(e => e.Start).ToArray());
    }

    [Theory]
    [InlineData("Europe/Berlin")]
    [InlineData("Europe/Vienna")]
    public void CalDav_events_carry_a_vtimezone_with_both_offsets_and_read_back_to_the_same_instant(string zoneId)
    {
        var zone = DateTimeZoneProviders.Tzdb[zoneId];
        var spring = Event("va20000000000000000000000001", zone, new LocalDateTime(2026, 3, 30, 9, 0));
        // 02:30 on 25 October happens twice; the slot finder offers the first (summer time) one.
        var autumnStart = zone.MapLocal(new LocalDateTime(2026, 10, 25, 2, 30)).First().ToInstant();
        var autumn = spring with { ExternalId = "va20000000000000000000000002", Start = autumnStart, End = autumnStart + Duration.FromMinutes(30) };

        var springText = ICalendarText.Write(spring, Instant.FromUtc(2026, 3, 1, 0, 0));
        var autumnText = ICalendarText.Write(autumn, Instant.FromUtc(2026, 3, 1, 0, 0));

        Assert.Contains($"DTSTART;TZID={zoneId}:20260330T090000", springText);
        // The VTIMEZONE carries summer time (+0100 → +0200 from the last Sunday in March) and winter time (back in October).
        Assert.Equal(["+0100", "+0200", "BYMONTH=3"], Observance(springText, "DAYLIGHT"));
        Assert.Equal(["+0200", "+0100", "BYMONTH=10"], Observance(springText, "STANDARD"));
        Assert.Equal(Instant.FromUtc(2026, 3, 30, 7, 0), Assert.Single(ReadBack(springText)).Start);
        Assert.Contains($"DTSTART;TZID={zoneId}:20261025T023000", autumnText);
        Assert.Equal(Instant.FromUtc(2026, 10, 25, 0, 30), Assert.Single(ReadBack(autumnText)).Start);
    }

    [Theory]
    [InlineData("Europe/Berlin")]
    [InlineData("Europe/Vienna")]
    public void A_weekly_series_keeps_its_wall_clock_time_across_the_switch(string zoneId)
    {
        var ics = $"""
            BEGIN:VCALENDAR
            BEGIN:VEVENT
            UID:weekly-1
            DTSTART;TZID={zoneId}:20260316T090000
            DTEND;TZID={zoneId}:20260316T100000
            RRULE:FREQ=WEEKLY;COUNT=4
            SUMMARY:Teambesprechung
            END:VEVENT
            END:VCALENDAR
            """;

        var occurrences = ICalendarText.Occurrences(ics, DateTimeZone.Utc, Instant.FromUtc(2026, 3, 1, 0, 0), Instant.FromUtc(2026, 5, 1, 0, 0));

        Assert.Equal(
            [Instant.FromUtc(2026, 3, 16, 8, 0), Instant.FromUtc(2026, 3, 23, 8, 0), Instant.FromUtc(2026, 3, 30, 7, 0), Instant.FromUtc(2026, 4, 6, 7, 0)],
            occurrences.Select(o => o.Start).ToArray());
    }

    private static IReadOnlyList<ICalendarText.Occurrence> ReadBack(string ics) =>
        ICalendarText.Occurrences(ics, DateTimeZone.Utc, Instant.FromUtc(2026, 1, 1, 0, 0), Instant.FromUtc(2027, 1, 1, 0, 0));

    // TZOFFSETFROM, TZOFFSETTO and the month of the RRULE of the VTIMEZONE's DAYLIGHT or STANDARD part.
    private static string[] Observance(string ics, string kind)
    {
        var lines = ics.Replace("\r\n ", "", StringComparison.Ordinal).Split("\r\n");
        var part = lines.SkipWhile(l => l != "BEGIN:" + kind).TakeWhile(l => l != "END:" + kind).ToList();
        string Value(string name) => part.Single(l => l.StartsWith(name + ":", StringComparison.Ordinal))[(name.Length + 1)..];
        return [Value("TZOFFSETFROM"), Value("TZOFFSETTO"), Value("RRULE").Split(';').Single(p => p.StartsWith("BYMONTH=", StringComparison.Ordinal))];
    }

    private static NewCalendarEvent Event(string id, DateTimeZone zone, LocalDateTime local)
    {
        var start = local.InZoneStrictly(zone).ToInstant();
        return new NewCalendarEvent(id, start, start + Duration.FromMinutes(30), zone, "Termin +4915112345678",
            "Telefonisch gebucht über VoiceAgent. Anrufer: +4915112345678.", "+4915112345678", null, null);
    }

    private static CalendarSession OAuthSession(string provider, string calendarId, DateTimeZone zone, string token) => new(
        new CalendarConnection { Provider = provider, Status = ConnectionStatus.Connected, Account = "praxis@example.com", ProtectedSecret = "" },
        calendarId, zone, new CalendarBudget(TimeProvider.System, TimeSpan.FromSeconds(10)), (_, _) => Task.FromResult(token));
}
