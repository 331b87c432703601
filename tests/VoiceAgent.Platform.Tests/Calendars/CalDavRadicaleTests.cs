using NodaTime;
using VoiceAgent.Calendars;
using VoiceAgent.Testing;

namespace VoiceAgent.Platform.Tests.Calendars;

/// <summary>The CalDAV connector against a real Radicale (Debian package) started for these tests.</summary>
public sealed class CalDavRadicaleTests : IAsyncLifetime
{
    private static readonly DateTimeZone Berlin = DateTimeZoneProviders.Tzdb["Europe/Berlin"];

    private RadicaleServer radicale = null!;
    private Uri calendar = null!;
    // The client as production builds it (CalendarResilience in front): a connection Radicale drops is retried there too.
    private readonly HttpClient http = new(CalendarResilience.Handler(TimeProvider.System, new SocketsHttpHandler()));

    public async Task InitializeAsync()
    {
        radicale = await RadicaleServer.StartAsync();
        calendar = await radicale.CreateCalendarAsync("termine", "Termine Praxis");
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        await radicale.DisposeAsync();
    }

    [Fact]
    public async Task Discovery_from_the_principal_finds_the_calendar_and_a_wrong_password_is_refused()
    {
        var client = new CalDavClient(http, TimeProvider.System);

        var found = await client.DiscoverAsync(radicale.PrincipalUrl, RadicaleServer.User, RadicaleServer.Password, Budget(), default);
        var direct = await client.DiscoverAsync(calendar, RadicaleServer.User, RadicaleServer.Password, Budget(), default);

        var info = Assert.Single(found);
        Assert.Equal(calendar.ToString(), info.Id);
        Assert.Equal("Termine Praxis", info.Name);
        Assert.Equal(calendar.ToString(), Assert.Single(direct).Id);
        await Assert.ThrowsAsync<CalendarAuthorizationException>(() =>
            client.DiscoverAsync(radicale.PrincipalUrl, RadicaleServer.User, "falsch", Budget(), default));
    }

    [Fact]
    public async Task Free_busy_create_list_and_cancel_against_radicale()
    {
        var client = new CalDavClient(http, TimeProvider.System);
        var session = Session(calendar);
        var monday = new LocalDate(2026, 11, 23);
        var start = Berlin.AtStrictly(monday.At(new LocalTime(10, 0))).ToInstant();

        // Someone else's appointment, entered with another client, and a weekly team meeting (Mondays 12:00 local).
        await radicale.PutAsync(calendar, "fremd.ics", Ics("fremd-1", "20261123T140000", "20261123T150000", "Zahnreinigung Frau Huber"));
        await radicale.PutAsync(calendar, "team.ics", Ics("team-1", "20261102T120000", "20261102T130000", "Teambesprechung", "RRULE:FREQ=WEEKLY;BYDAY=MO"));

        var created = await client.CreateAsync(session, NewEvent("va0123456789abcdef", start, "+4915112345678"), default);
        var again = await client.CreateAsync(session, NewEvent("va0123456789abcdef", start, "+4915112345678"), default);

        Assert.Equal(created.Id, again.Id);
        var stored = Assert.Single(radicale.StoredEvents(calendar), e => e.Contains("va0123456789abcdef", StringComparison.Ordinal));
        Assert.Contains("DTSTART;TZID=Europe/Berlin:20261123T100000", stored);
        Assert.Contains("+4915112345678", stored);

        var dayStart = Berlin.AtStartOfDay(monday).ToInstant();
        var busy = await client.BusyAsync(session, dayStart, dayStart + Duration.FromDays(1), default);
        Assert.Equal(
            [
                (At(monday, 10, 0), At(monday, 10, 30)),
                (At(monday, 12, 0), At(monday, 13, 0)),
                (At(monday, 14, 0), At(monday, 15, 0)),
            ],
            busy.OrderBy(b => b.Start).ToList());

        var mine = await client.EventsAsync(session, dayStart, dayStart + Duration.FromDays(30), "+4915112345678", default);
        var listed = Assert.Single(mine);
        Assert.Equal(start, listed.Start);
        Assert.Equal("Termin +4915112345678", listed.Title);
        Assert.Equal("va0123456789abcdef", listed.Marker);

        Assert.True(await client.DeleteAsync(session, listed.Id, default));
        Assert.False(await client.DeleteAsync(session, listed.Id, default));
        Assert.Empty(await client.EventsAsync(session, dayStart, dayStart + Duration.FromDays(30), "+4915112345678", default));
        Assert.Null(await client.GetAsync(session, listed.Id, default));
        Assert.Equal(2, (await client.BusyAsync(session, dayStart, dayStart + Duration.FromDays(1), default)).Count);
    }

    [Fact]
    public async Task An_occurrence_of_a_series_is_never_deleted_and_foreign_urls_are_refused()
    {
        var client = new CalDavClient(http, TimeProvider.System);
        var session = Session(calendar);
        await radicale.PutAsync(calendar, "serie.ics", Ics("serie-1", "20261102T120000", "20261102T130000", "Anrufer +4917000000", "RRULE:FREQ=WEEKLY"));
        var from = Instant.FromUtc(2026, 11, 20, 0, 0);

        var occurrence = (await client.EventsAsync(session, from, from + Duration.FromDays(14), "+4917000000", default))[0];

        Assert.Contains('#', occurrence.Id);
        Assert.False(await client.DeleteAsync(session, occurrence.Id, default));
        Assert.False(await client.DeleteAsync(session, new Uri(radicale.BaseUrl, "andere/x.ics").ToString(), default));
        Assert.Single(radicale.StoredEvents(calendar));
    }

    private static Instant At(LocalDate day, int hour, int minute) => Berlin.AtStrictly(day.At(new LocalTime(hour, minute))).ToInstant();

    private static CalendarBudget Budget() => new(TimeProvider.System, TimeSpan.FromSeconds(10));

    private static CalendarSession Session(Uri calendar) => new(
        new CalendarConnection
        {
            Provider = CalendarProviders.CalDav,
            Status = ConnectionStatus.Connected,
            Account = RadicaleServer.User,
            ProtectedSecret = "",
            ServerUrl = calendar.ToString(),
        },
        calendar.ToString(), Berlin, Budget(), (_, _) => Task.FromResult(RadicaleServer.Password));

    private static NewCalendarEvent NewEvent(string id, Instant start, string caller) =>
        new(id, start, start + Duration.FromMinutes(30), Berlin, "Termin " + caller, "Telefonisch gebucht. Anrufer: " + caller, caller, null, null);

    private static string Ics(string uid, string start, string end, string summary, string? rule = null) => $"""
        BEGIN:VCALENDAR
        VERSION:2.0
        PRODID:-//Test//DE
        BEGIN:VTIMEZONE
        TZID:Europe/Berlin
        BEGIN:DAYLIGHT
        TZOFFSETFROM:+0100
        TZOFFSETTO:+0200
        TZNAME:CEST
        DTSTART:19700329T020000
        RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
        END:DAYLIGHT
        BEGIN:STANDARD
        TZOFFSETFROM:+0200
        TZOFFSETTO:+0100
        TZNAME:CET
        DTSTART:19701025T030000
        RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
        END:STANDARD
        END:VTIMEZONE
        BEGIN:VEVENT
        UID:{uid}
        DTSTAMP:20261101T000000Z
        DTSTART;TZID=Europe/Berlin:{start}
        DTEND;TZID=Europe/Berlin:{end}
        SUMMARY:{summary}
        {rule ?? "TRANSP:OPAQUE"}
        END:VEVENT
        END:VCALENDAR
        """.Replace("\n", "\r\n", StringComparison.Ordinal);
}
