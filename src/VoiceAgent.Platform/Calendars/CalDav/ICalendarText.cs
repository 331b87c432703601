using System.Globalization;
using System.Text;
using NodaTime;
using NodaTime.Text;

namespace VoiceAgent.Platform.Calendars;

/// <summary>
/// The part of iCalendar (RFC 5545) the CalDAV connector needs: writing one event with its VTIMEZONE (so start and end
/// stay in the tenant's zone), and reading events back — UTC, zoned, floating and all-day times, DURATION, the common
/// recurrence rules (DAILY/WEEKLY/MONTHLY/YEARLY with INTERVAL, COUNT, UNTIL, BYDAY, EXDATE) and moved occurrences.
/// </summary>
public static class ICalendarText
{
    public const string CallerProperty = "X-VOICEAGENT-CALLER";

    private static readonly LocalDateTimePattern BasicLocal = LocalDateTimePattern.CreateWithInvariantCulture("uuuuMMdd'T'HHmmss");
    private static readonly LocalDatePattern BasicDate = LocalDatePattern.CreateWithInvariantCulture("uuuuMMdd");

    public sealed record VEvent(string Uid, Instant Start, Instant End, string Summary, string Description, string? Caller, bool Cancelled,
        bool Transparent, string? RecurrenceRule, IReadOnlyList<Instant> ExDates, Instant? RecurrenceId, DateTimeZone StartZone,
        LocalDateTime LocalStart);

    public sealed record Occurrence(string Uid, Instant Start, Instant End, string Summary, string Description, string? Caller, bool Cancelled,
        bool Transparent, bool Recurring);

    public static string Write(NewCalendarEvent e, Instant stamp)
    {
        var zone = e.Zone;
        var sb = new StringBuilder();
        Line(sb, "BEGIN:VCALENDAR");
        Line(sb, "VERSION:2.0");
        Line(sb, "PRODID:-//VoiceAgent//Terminbuchung//DE");
        Line(sb, "CALSCALE:GREGORIAN");
        WriteTimeZone(sb, zone, e.Start);
        Line(sb, "BEGIN:VEVENT");
        Line(sb, "UID:" + Escape(e.ExternalId));
        Line(sb, "DTSTAMP:" + Utc(stamp));
        Line(sb, $"DTSTART;TZID={zone.Id}:{BasicLocal.Format(e.Start.InZone(zone).LocalDateTime)}");
        Line(sb, $"DTEND;TZID={zone.Id}:{BasicLocal.Format(e.End.InZone(zone).LocalDateTime)}");
        Line(sb, "SUMMARY:" + Escape(e.Title));
        Line(sb, "DESCRIPTION:" + Escape(e.Description));
        if (e.CallerNumber is { } number)
        {
            Line(sb, CallerProperty + ":" + Escape(number));
        }

        if (e.CallerEmail is { } email)
        {
            var name = e.CallerName is { } n ? $";CN=\"{n.Replace("\"", "'", StringComparison.Ordinal)}\"" : "";
            Line(sb, $"ATTENDEE{name};ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:{email}");
        }

        Line(sb, "STATUS:CONFIRMED");
        Line(sb, "TRANSP:OPAQUE");
        Line(sb, "END:VEVENT");
        Line(sb, "END:VCALENDAR");
        return sb.ToString();
    }

    public static IReadOnlyList<VEvent> Parse(string text, DateTimeZone fallback)
    {
        var events = new List<VEvent>();
        Dictionary<string, (string Value, Dictionary<string, string> Parameters)>? current = null;
        List<(string Value, Dictionary<string, string> Parameters)> exDates = [];
        var depth = 0;
        foreach (var line in Unfold(text))
        {
            var (name, parameters, value) = Split(line);
            if (name == "BEGIN")
            {
                if (value == "VEVENT" && current is null)
                {
                    current = new Dictionary<string, (string, Dictionary<string, string>)>(StringComparer.OrdinalIgnoreCase);
                    exDates = [];
                    depth = 0;
                }
                else if (current is not null)
                {
                    depth++; // VALARM inside the event: ignore its properties
                }

                continue;
            }

            if (name == "END" && current is not null)
            {
                if (depth > 0)
                {
                    depth--;
                    continue;
                }

                if (value == "VEVENT")
                {
                    if (ToEvent(current, exDates, fallback) is { } e)
                    {
                        events.Add(e);
                    }

                    current = null;
                }

                continue;
            }

            if (current is null || depth > 0)
            {
                continue;
            }

            if (name == "EXDATE")
            {
                exDates.Add((value, parameters));
            }
            else
            {
                current.TryAdd(name, (value, parameters));
            }
        }

        return events;
    }

    /// <summary>The occurrences of the parsed events that overlap the window (moved occurrences replace their originals).</summary>
    public static IReadOnlyList<Occurrence> Occurrences(IReadOnlyList<VEvent> events, Instant from, Instant to)
    {
        var overrides = events.Where(e => e.RecurrenceId is not null).ToList();
        var result = new List<Occurrence>();
        foreach (var e in events)
        {
            if (e.RecurrenceId is not null || e.RecurrenceRule is null)
            {
                if (e.Start < to && from < e.End)
                {
                    result.Add(new Occurrence(e.Uid, e.Start, e.End, e.Summary, e.Description, e.Caller, e.Cancelled, e.Transparent,
                        e.RecurrenceId is not null));
                }

                continue;
            }

            var moved = overrides.Where(o => o.Uid == e.Uid).Select(o => o.RecurrenceId!.Value).ToHashSet();
            foreach (var start in Recurrence.Expand(e, to))
            {
                var end = start + (e.End - e.Start);
                if (end <= from || moved.Contains(start) || e.ExDates.Contains(start))
                {
                    continue;
                }

                result.Add(new Occurrence(e.Uid, start, end, e.Summary, e.Description, e.Caller, e.Cancelled, e.Transparent, true));
            }
        }

        return result.OrderBy(o => o.Start).ToList();
    }

    private static VEvent? ToEvent(Dictionary<string, (string Value, Dictionary<string, string> Parameters)> p,
        List<(string Value, Dictionary<string, string> Parameters)> exDates, DateTimeZone fallback)
    {
        if (!p.TryGetValue("UID", out var uid) || !p.TryGetValue("DTSTART", out var dtStart))
        {
            return null;
        }

        var startZone = ZoneOf(dtStart.Parameters, fallback);
        var start = Time(dtStart.Value, dtStart.Parameters, fallback, out var allDay, out var localStart);
        if (start is null)
        {
            return null;
        }

        Instant? end = null;
        if (p.TryGetValue("DTEND", out var dtEnd))
        {
            end = Time(dtEnd.Value, dtEnd.Parameters, fallback, out _, out _);
        }
        else if (p.TryGetValue("DURATION", out var duration) && ParseDuration(duration.Value) is { } length)
        {
            end = start + length;
        }

        end ??= allDay ? start + Duration.FromDays(1) : start;
        if (end < start)
        {
            end = start;
        }

        var exclusions = new List<Instant>();
        foreach (var (value, parameters) in exDates)
        {
            foreach (var item in value.Split(','))
            {
                if (Time(item, parameters, fallback, out _, out _) is { } excluded)
                {
                    exclusions.Add(excluded);
                }
            }
        }

        Instant? recurrenceId = p.TryGetValue("RECURRENCE-ID", out var rid) ? Time(rid.Value, rid.Parameters, fallback, out _, out _) : null;
        return new VEvent(
            Unescape(uid.Value),
            start.Value,
            end.Value,
            p.TryGetValue("SUMMARY", out var summary) ? Unescape(summary.Value) : "",
            p.TryGetValue("DESCRIPTION", out var description) ? Unescape(description.Value) : "",
            p.TryGetValue(CallerProperty, out var caller) ? Unescape(caller.Value) : null,
            p.TryGetValue("STATUS", out var status) && status.Value.Equals("CANCELLED", StringComparison.OrdinalIgnoreCase),
            p.TryGetValue("TRANSP", out var transp) && transp.Value.Equals("TRANSPARENT", StringComparison.OrdinalIgnoreCase),
            p.TryGetValue("RRULE", out var rule) ? rule.Value : null,
            exclusions,
            recurrenceId,
            localStart is null ? DateTimeZone.Utc : allDay ? fallback : startZone,
            localStart ?? start.Value.InUtc().LocalDateTime);
    }

    private static DateTimeZone ZoneOf(Dictionary<string, string> parameters, DateTimeZone fallback) =>
        parameters.TryGetValue("TZID", out var tzid) ? ProviderJson.Zone(CleanZoneId(tzid)) ?? fallback : fallback;

    // "/mozilla.org/20050126_1/Europe/Berlin" and similar prefixed ids end with the IANA name.
    private static string CleanZoneId(string tzid)
    {
        tzid = tzid.Trim('"');
        if (DateTimeZoneProviders.Tzdb.GetZoneOrNull(tzid) is not null)
        {
            return tzid;
        }

        var parts = tzid.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 1; i < parts.Length; i++)
        {
            var candidate = string.Join('/', parts[i..]);
            if (DateTimeZoneProviders.Tzdb.GetZoneOrNull(candidate) is not null)
            {
                return candidate;
            }
        }

        return tzid;
    }

    private static Instant? Time(string value, Dictionary<string, string> parameters, DateTimeZone fallback, out bool allDay,
        out LocalDateTime? local)
    {
        allDay = false;
        local = null;
        value = value.Trim();
        if ((parameters.TryGetValue("VALUE", out var kind) && kind.Equals("DATE", StringComparison.OrdinalIgnoreCase)) || value.Length == 8)
        {
            allDay = true;
            if (!BasicDate.Parse(value).TryGetValue(default, out var date))
            {
                return null;
            }

            local = date.AtMidnight();
            return fallback.AtStartOfDay(date).ToInstant();
        }

        var utc = value.EndsWith('Z');
        if (!BasicLocal.Parse(utc ? value[..^1] : value).TryGetValue(default, out var parsed))
        {
            return null;
        }

        if (utc)
        {
            return parsed.InUtc().ToInstant();
        }

        local = parsed;
        return parsed.InZoneLeniently(ZoneOf(parameters, fallback)).ToInstant();
    }

    private static Duration? ParseDuration(string value)
    {
        // P1D, PT30M, PT1H30M, P1W, -PT5M (negative durations are not event lengths)
        if (value.StartsWith('-'))
        {
            return null;
        }

        try
        {
            var period = PeriodPattern.NormalizingIso.Parse(value.TrimStart('+')).GetValueOrThrow();
            return period.ToDuration();
        }
        catch (UnparsableValueException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            // Months and years have no fixed length; an event length never uses them.
            return null;
        }
    }

    private static void WriteTimeZone(StringBuilder sb, DateTimeZone zone, Instant around)
    {
        var from = around - Duration.FromDays(400);
        var to = around + Duration.FromDays(400);
        var intervals = zone.GetZoneIntervals(from, to).ToList();
        Line(sb, "BEGIN:VTIMEZONE");
        Line(sb, "TZID:" + zone.Id);
        var first = intervals[0];
        WriteObservance(sb, first.Savings != Offset.Zero, first.WallOffset, first.WallOffset, first.Name, new LocalDateTime(1970, 1, 1, 0, 0));
        for (var i = 1; i < intervals.Count; i++)
        {
            var interval = intervals[i];
            var previous = intervals[i - 1].WallOffset;
            // DTSTART of an observance is the local time of the change in the offset that applied before it.
            var onset = interval.Start.WithOffset(previous).LocalDateTime;
            WriteObservance(sb, interval.Savings != Offset.Zero, previous, interval.WallOffset, interval.Name, onset);
        }

        Line(sb, "END:VTIMEZONE");
    }

    private static void WriteObservance(StringBuilder sb, bool daylight, Offset from, Offset to, string name, LocalDateTime onset)
    {
        var kind = daylight ? "DAYLIGHT" : "STANDARD";
        Line(sb, "BEGIN:" + kind);
        Line(sb, "TZOFFSETFROM:" + OffsetText(from));
        Line(sb, "TZOFFSETTO:" + OffsetText(to));
        if (!string.IsNullOrEmpty(name))
        {
            Line(sb, "TZNAME:" + Escape(name));
        }

        Line(sb, "DTSTART:" + BasicLocal.Format(onset));
        Line(sb, "END:" + kind);
    }

    private static string OffsetText(Offset offset)
    {
        var seconds = offset.Seconds;
        var sign = seconds < 0 ? "-" : "+";
        seconds = Math.Abs(seconds);
        return string.Create(CultureInfo.InvariantCulture, $"{sign}{seconds / 3600:00}{seconds % 3600 / 60:00}");
    }

    private static string Utc(Instant instant) => BasicLocal.Format(instant.InUtc().LocalDateTime) + "Z";

    private static string Escape(string value) => value
        .Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace(";", "\\;", StringComparison.Ordinal)
        .Replace(",", "\\,", StringComparison.Ordinal)
        .Replace("\r\n", "\\n", StringComparison.Ordinal)
        .Replace("\n", "\\n", StringComparison.Ordinal);

    private static string Unescape(string value)
    {
        var sb = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\' && i + 1 < value.Length)
            {
                i++;
                sb.Append(value[i] is 'n' or 'N' ? '\n' : value[i]);
            }
            else
            {
                sb.Append(value[i]);
            }
        }

        return sb.ToString();
    }

    // Content lines are folded at 75 octets (never inside a UTF-8 sequence).
    private static void Line(StringBuilder sb, string line)
    {
        var bytes = 0;
        var limit = 75;
        foreach (var rune in line.EnumerateRunes())
        {
            var length = rune.Utf8SequenceLength;
            if (bytes + length > limit)
            {
                sb.Append("\r\n ");
                bytes = 1;
                limit = 75;
            }

            sb.Append(rune.ToString());
            bytes += length;
        }

        sb.Append("\r\n");
    }

    private static IEnumerable<string> Unfold(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var current = new StringBuilder();
        foreach (var line in lines)
        {
            if (line.Length > 0 && (line[0] == ' ' || line[0] == '\t'))
            {
                current.Append(line, 1, line.Length - 1);
                continue;
            }

            if (current.Length > 0)
            {
                yield return current.ToString();
            }

            current.Clear().Append(line);
        }

        if (current.Length > 0)
        {
            yield return current.ToString();
        }
    }

    private static (string Name, Dictionary<string, string> Parameters, string Value) Split(string line)
    {
        // NAME;PARAM=VALUE;PARAM="quoted:value":value — the first colon outside quotes ends the parameters.
        var inQuotes = false;
        var colon = -1;
        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] == '"')
            {
                inQuotes = !inQuotes;
            }
            else if (line[i] == ':' && !inQuotes)
            {
                colon = i;
                break;
            }
        }

        if (colon < 0)
        {
            return (line.Trim().ToUpperInvariant(), [], "");
        }

        var head = line[..colon].Split(';');
        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in head.Skip(1))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                parameters[part[..eq]] = part[(eq + 1)..].Trim('"');
            }
        }

        return (head[0].Trim().ToUpperInvariant(), parameters, line[(colon + 1)..]);
    }
}
