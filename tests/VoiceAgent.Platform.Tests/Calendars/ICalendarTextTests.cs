using NodaTime;
using VoiceAgent.Calendars;

namespace VoiceAgent.Platform.Tests.Calendars;

/// <summary>Reading and writing iCalendar for the CalDAV connector (Ical.Net underneath, our mapping on top).</summary>
public sealed class ICalendarTextTests
{
    private static readonly DateTimeZone Berlin = DateTimeZoneProviders.Tzdb["Europe/Berlin"];
    private static readonly Instant November = Instant.FromUtc(2026, 11, 1, 0, 0);

    [Fact]
    public void A_written_booking_has_its_uid_times_in_the_tenants_zone_caller_and_attendee()
    {
        var start = Berlin.AtStrictly(new LocalDateTime(2026, 11, 23, 10, 0)).ToInstant();
        var booking = new NewCalendarEvent("va0123456789abcdef", start, start + Duration.FromMinutes(30), Berlin, "Termin +4915112345678",
            "Telefonisch gebucht; Anrufer: +4915112345678, Rückruf erwünscht", "+4915112345678", "Erika Muster", "erika@example.com");

        var text = ICalendarText.Write(booking, Instant.FromUtc(2026, 11, 20, 9, 0));

        Assert.Contains("UID:va0123456789abcdef", text);
        Assert.Contains("DTSTART;TZID=Europe/Berlin:20261123T100000", text);
        Assert.Contains("DTEND;TZID=Europe/Berlin:20261123T103000", text);
        Assert.Contains("DTSTAMP:20261120T090000Z", text);
        Assert.Contains("BEGIN:VTIMEZONE", text);
        Assert.Contains("mailto:erika@example.com", text.Replace("\r\n ", "", StringComparison.Ordinal));
        Assert.All(text.Split("\r\n"), line => Assert.True(System.Text.Encoding.UTF8.GetByteCount(line) <= 75, line));
        var read = Assert.Single(ICalendarText.Occurrences(text, DateTimeZone.Utc, November, November + Duration.FromDays(30)));
        Assert.Equal(("va0123456789abcdef", start, start + Duration.FromMinutes(30)), (read.Uid, read.Start, read.End));
        Assert.Equal("Telefonisch gebucht; Anrufer: +4915112345678, Rückruf erwünscht", read.Description);
        Assert.Equal("+4915112345678", read.Caller);
        Assert.False(read.Cancelled || read.Transparent || read.Recurring);
    }

    [Fact]
    public void A_series_is_expanded_in_the_window_without_excluded_dates_and_with_moved_occurrences()
    {
        var text = Calendar("""
            BEGIN:VEVENT
            UID:team-1
            DTSTART;TZID=Europe/Berlin:20261005T120000
            DTEND;TZID=Europe/Berlin:20261005T130000
            RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20261214T235959Z
            EXDATE;TZID=Europe/Berlin:20261109T120000
            SUMMARY:Teambesprechung
            END:VEVENT
            BEGIN:VEVENT
            UID:team-1
            RECURRENCE-ID;TZID=Europe/Berlin:20261116T120000
            DTSTART;TZID=Europe/Berlin:20261117T150000
            DTEND;TZID=Europe/Berlin:20261117T160000
            SUMMARY:Teambesprechung (verschoben)
            END:VEVENT
            """);

        var found = ICalendarText.Occurrences(text, DateTimeZone.Utc, November, November + Duration.FromDays(30));

        Assert.Equal(
            [At(2026, 11, 2, 12), At(2026, 11, 17, 15), At(2026, 11, 23, 12), At(2026, 11, 30, 12)],
            found.Select(o => o.Start).ToArray());
        Assert.All(found, o => Assert.True(o.Recurring));
        Assert.Equal("Teambesprechung (verschoben)", found[1].Summary);
    }

    [Fact]
    public void All_day_floating_utc_duration_and_unknown_zones_are_read_in_the_tenants_zone_where_they_have_none()
    {
        var text = Calendar("""
            BEGIN:VEVENT
            UID:urlaub
            DTSTART;VALUE=DATE:20261124
            DTEND;VALUE=DATE:20261126
            SUMMARY:Urlaub
            END:VEVENT
            BEGIN:VEVENT
            UID:floating
            DTSTART:20261127T090000
            DURATION:PT45M
            SUMMARY:Ohne Zone
            END:VEVENT
            BEGIN:VEVENT
            UID:utc
            DTSTART:20261127T120000Z
            DTEND:20261127T130000Z
            SUMMARY:In UTC
            TRANSP:TRANSPARENT
            END:VEVENT
            BEGIN:VEVENT
            UID:abgesagt
            DTSTART;TZID=/mozilla.org/20050126_1/Europe/Berlin:20261127T150000
            DTEND;TZID=/mozilla.org/20050126_1/Europe/Berlin:20261127T160000
            STATUS:CANCELLED
            SUMMARY:Abgesagt
            END:VEVENT
            """);

        var found = ICalendarText.Occurrences(text, Berlin, November, November + Duration.FromDays(30)).ToDictionary(o => o.Uid);

        Assert.Equal((At(2026, 11, 24, 0), At(2026, 11, 26, 0)), (found["urlaub"].Start, found["urlaub"].End));
        Assert.Equal((At(2026, 11, 27, 9), At(2026, 11, 27, 9) + Duration.FromMinutes(45)), (found["floating"].Start, found["floating"].End));
        Assert.Equal(Instant.FromUtc(2026, 11, 27, 12, 0), found["utc"].Start);
        Assert.True(found["utc"].Transparent);
        Assert.Equal(At(2026, 11, 27, 15), found["abgesagt"].Start);
        Assert.True(found["abgesagt"].Cancelled);

        var unknown = Calendar("""
            BEGIN:VEVENT
            UID:mars
            DTSTART;TZID=Mars/Olympus:20261127T090000
            DTEND;TZID=Mars/Olympus:20261127T100000
            SUMMARY:Unbekannte Zone
            END:VEVENT
            """);
        Assert.Equal(At(2026, 11, 27, 9), Assert.Single(ICalendarText.Occurrences(unknown, Berlin, November, November + Duration.FromDays(30))).Start);
    }

    [Fact]
    public void Only_occurrences_overlapping_the_window_are_returned()
    {
        var text = Calendar("""
            BEGIN:VEVENT
            UID:daily
            DTSTART;TZID=Europe/Berlin:20261101T230000
            DTEND;TZID=Europe/Berlin:20261102T010000
            RRULE:FREQ=DAILY;COUNT=10
            SUMMARY:Nachtdienst
            END:VEVENT
            """);
        var from = At(2026, 11, 3, 0);

        var found = ICalendarText.Occurrences(text, Berlin, from, from + Duration.FromDays(2));

        // 2 Nov 23:00–01:00 reaches into the window; 4 Nov 23:00 starts in it; 5 Nov 23:00 is after it.
        Assert.Equal([At(2026, 11, 2, 23), At(2026, 11, 3, 23), At(2026, 11, 4, 23)], found.Select(o => o.Start).ToArray());
    }

    private static Instant At(int year, int month, int day, int hour) => Berlin.AtLeniently(new LocalDateTime(year, month, day, hour, 0)).ToInstant();

    private static string Calendar(string events) =>
        ("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Test//DE\n" + events.Trim() + "\nEND:VCALENDAR\n").Replace("\n", "\r\n", StringComparison.Ordinal);
}
