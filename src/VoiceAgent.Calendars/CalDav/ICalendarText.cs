using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;
using NodaTime;
using Calendar = Ical.Net.Calendar;
using Duration = NodaTime.Duration;
using SerializationException = System.Runtime.Serialization.SerializationException;

namespace VoiceAgent.Calendars;

/// <summary>
/// iCalendar (RFC 5545) for the CalDAV connector through Ical.Net: writing a booking as one VEVENT with the tenant's
/// VTIMEZONE (so start and end stay in the tenant's zone), and reading events back as instants — parsing, time zones
/// and recurrence expansion (RRULE, RDATE, EXDATE, moved occurrences) are Ical.Net's. What stays here is the mapping to
/// our model: floating and all-day times are read in the tenant's zone, a TZID no zone database knows falls back to it,
/// and a wall-clock time that does not exist or exists twice (DST changes) is read leniently (NodaTime's rules).
/// </summary>
public static class ICalendarText
{
    public const string CallerProperty = "X-VOICEAGENT-CALLER";

    public sealed record Occurrence(string Uid, Instant Start, Instant End, string Summary, string Description, string? Caller, bool Cancelled,
        bool Transparent, bool Recurring);

    public static string Write(NewCalendarEvent e, Instant stamp)
    {
        var calendar = new Calendar { ProductId = "-//VoiceAgent//Terminbuchung//DE", Scale = CalendarScales.Gregorian };
        calendar.AddTimeZone(VTimeZone.FromDateTimeZone(e.Zone.Id, e.Start.ToDateTimeUtc(), includeHistoricalData: false));
        var evt = new CalendarEvent
        {
            Uid = e.ExternalId,
            DtStamp = new CalDateTime(stamp.ToDateTimeUtc(), CalDateTime.UtcTzId),
            DtStart = Local(e.Start, e.Zone),
            Summary = e.Title,
            Description = e.Description,
            Status = EventStatus.Confirmed,
            Transparency = TransparencyType.Opaque,
        };
        // An end whose wall-clock time is not after the start or exists twice (the autumn change) is written as a length.
        var localEnd = e.End.InZone(e.Zone).LocalDateTime;
        if (localEnd > e.Start.InZone(e.Zone).LocalDateTime && e.Zone.MapLocal(localEnd).Count == 1)
        {
            evt.DtEnd = Local(e.End, e.Zone);
        }
        else
        {
            evt.Duration = Ical.Net.DataTypes.Duration.FromTimeSpanExact((e.End - e.Start).ToTimeSpan());
        }

        if (e.CallerNumber is { } number)
        {
            evt.AddProperty(CallerProperty, number);
        }

        if (e.CallerEmail is { } email)
        {
            evt.Attendees =
            [
                new Attendee("mailto:" + email) { CommonName = e.CallerName, Role = ParticipationRole.RequiredParticipant, Rsvp = true },
            ];
        }

        calendar.Events.Add(evt);
        return new CalendarSerializer().SerializeToString(calendar) ?? "";
    }

    /// <summary>The occurrences of the events in <paramref name="text"/> that overlap the window, earliest first.</summary>
    public static IReadOnlyList<Occurrence> Occurrences(string text, DateTimeZone fallback, Instant from, Instant to)
    {
        if (Load(text) is not { } calendar)
        {
            return [];
        }

        IEnumerable<Ical.Net.DataTypes.Occurrence> expanded;
        try
        {
            expanded = calendar.GetOccurrences<CalendarEvent>(new CalDateTime(from.ToDateTimeUtc(), CalDateTime.UtcTzId))
                .TakeWhileBefore(new CalDateTime(to.ToDateTimeUtc(), CalDateTime.UtcTzId))
                .ToList();
        }
        catch (ArgumentException)
        {
            // A TZID no zone database knows (or a period Ical.Net refuses): the events as they stand, read in the tenant's zone.
            return calendar.Events.Select(x => ToOccurrence(x, fallback)).OfType<Occurrence>()
                .Where(o => o.Start < to && from < o.End).OrderBy(o => o.Start).ToList();
        }

        var result = new List<Occurrence>();
        foreach (var occurrence in expanded)
        {
            if (occurrence.Source is not CalendarEvent evt || evt.Uid is null)
            {
                continue;
            }

            var period = occurrence.Period;
            var start = ToInstant(period.StartTime, fallback);
            var end = period.EffectiveEndTime is { } effective ? ToInstant(effective, fallback) : start;
            if (end < start)
            {
                end = start;
            }

            if (start < to && from < end || (start == end && start >= from && start < to))
            {
                result.Add(ToOccurrence(evt, start, end));
            }
        }

        return result.OrderBy(o => o.Start).ToList();
    }

    /// <summary>The event of a resource as stored (a series: its first occurrence); null when there is none.</summary>
    public static Occurrence? Master(string text, DateTimeZone fallback) =>
        Load(text)?.Events.Where(x => x.DtStart is not null).OrderBy(x => x.RecurrenceIdentifier is null ? 0 : 1)
            .Select(x => ToOccurrence(x, fallback)).FirstOrDefault();

    private static Occurrence? ToOccurrence(CalendarEvent evt, DateTimeZone fallback)
    {
        if (evt.DtStart is not { } dtStart || evt.Uid is null)
        {
            return null;
        }

        var start = ToInstant(dtStart, fallback);
        var end = evt.DtEnd is { } dtEnd ? ToInstant(dtEnd, fallback)
            : evt.Duration is { } length ? ToInstant(dtStart.Add(length), fallback)
            : dtStart.HasTime ? start : start + Duration.FromDays(1);
        return ToOccurrence(evt, start, end < start ? start : end);
    }

    private static Calendar? Load(string text)
    {
        try
        {
            return Calendar.Load(text);
        }
        catch (SerializationException)
        {
            return null;
        }
    }

    private static Occurrence ToOccurrence(CalendarEvent evt, Instant start, Instant end) => new(
        evt.Uid!,
        start,
        end,
        evt.Summary ?? "",
        evt.Description ?? "",
        evt.Properties.Get<string>(CallerProperty),
        !evt.IsActive,
        string.Equals(evt.Transparency, TransparencyType.Transparent, StringComparison.OrdinalIgnoreCase),
        evt.RecurrenceRule is not null || evt.RecurrenceIdentifier is not null || evt.RecurrenceDates.GetAllDates().Any());

    private static CalDateTime Local(Instant instant, DateTimeZone zone) =>
        new(DateTime.SpecifyKind(instant.InZone(zone).LocalDateTime.ToDateTimeUnspecified(), DateTimeKind.Unspecified), zone.Id);

    // All-day and floating times are the tenant's; a time in a zone is read in that zone, leniently across DST changes.
    private static Instant ToInstant(CalDateTime time, DateTimeZone fallback)
    {
        if (!time.HasTime)
        {
            return fallback.AtStartOfDay(LocalDate.FromDateOnly(time.Date)).ToInstant();
        }

        if (time.IsUtc)
        {
            return Instant.FromDateTimeUtc(DateTime.SpecifyKind(time.Value, DateTimeKind.Utc));
        }

        var zone = time.TzId is { } id ? DefaultTimeZoneResolver.GetZone(id) ?? fallback : fallback;
        return LocalDateTime.FromDateTime(time.Value).InZoneLeniently(zone).ToInstant();
    }
}
