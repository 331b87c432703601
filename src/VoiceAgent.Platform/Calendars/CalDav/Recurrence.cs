using System.Globalization;
using NodaTime;
using NodaTime.Text;

namespace VoiceAgent.Platform.Calendars;

/// <summary>
/// Expands the recurrence rules business calendars use (RFC 5545 RRULE with FREQ DAILY, WEEKLY, MONTHLY or YEARLY,
/// INTERVAL, COUNT, UNTIL, BYDAY — with ordinals for MONTHLY —, BYMONTHDAY, BYMONTH) in the event's own wall-clock time,
/// so a weekly 09:00 meeting stays at 09:00 across the DST change. Rules it does not understand yield the first
/// occurrence only.
/// </summary>
internal static class Recurrence
{
    private const int MaxIterations = 5000;
    private static readonly LocalDateTimePattern BasicLocal = LocalDateTimePattern.CreateWithInvariantCulture("uuuuMMdd'T'HHmmss");
    private static readonly LocalDatePattern BasicDate = LocalDatePattern.CreateWithInvariantCulture("uuuuMMdd");

    public static IEnumerable<Instant> Expand(ICalendarText.VEvent e, Instant until)
    {
        var rule = e.RecurrenceRule!.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2)).Where(p => p.Length == 2)
            .ToDictionary(p => p[0].Trim().ToUpperInvariant(), p => p[1].Trim().ToUpperInvariant());
        var start = e.LocalStart;
        var zone = e.StartZone;
        var interval = rule.TryGetValue("INTERVAL", out var i) && int.TryParse(i, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 1;
        int? count = rule.TryGetValue("COUNT", out var c) && int.TryParse(c, CultureInfo.InvariantCulture, out var k) && k > 0 ? k : null;
        var last = rule.TryGetValue("UNTIL", out var u) ? Until(u, zone) : null;
        var byDay = rule.TryGetValue("BYDAY", out var d) ? d.Split(',').Select(ParseDay).OfType<(int Ordinal, IsoDayOfWeek Day)>().ToList() : [];
        var byMonthDay = rule.TryGetValue("BYMONTHDAY", out var md)
            ? md.Split(',').Select(x => int.TryParse(x, CultureInfo.InvariantCulture, out var v) ? v : 0).Where(v => v != 0).ToList()
            : [];
        var byMonth = rule.TryGetValue("BYMONTH", out var m)
            ? m.Split(',').Select(x => int.TryParse(x, CultureInfo.InvariantCulture, out var v) ? v : 0).Where(v => v is >= 1 and <= 12).ToList()
            : [];
        var frequency = rule.GetValueOrDefault("FREQ");

        var produced = 0;
        var iterations = 0;
        foreach (var day in Candidates(frequency, start.Date, interval, byDay, byMonthDay, byMonth))
        {
            if (++iterations > MaxIterations)
            {
                yield break;
            }

            if (day < start.Date)
            {
                continue;
            }

            var local = day + start.TimeOfDay;
            var instant = local.InZoneLeniently(zone).ToInstant();
            if ((last is { } l && instant > l) || instant >= until || (count is { } max && produced >= max))
            {
                yield break;
            }

            produced++;
            yield return instant;
        }
    }

    private static IEnumerable<LocalDate> Candidates(string? frequency, LocalDate first, int interval, List<(int Ordinal, IsoDayOfWeek Day)> byDay,
        List<int> byMonthDay, List<int> byMonth)
    {
        switch (frequency)
        {
            case "DAILY":
                for (var day = first; ; day = day.PlusDays(interval))
                {
                    if ((byDay.Count == 0 || byDay.Any(b => b.Day == day.DayOfWeek)) && (byMonth.Count == 0 || byMonth.Contains(day.Month)))
                    {
                        yield return day;
                    }
                }

            case "WEEKLY":
                var days = byDay.Count > 0 ? byDay.Select(b => b.Day).Distinct().OrderBy(x => x).ToList() : [first.DayOfWeek];
                for (var monday = first.PlusDays(1 - (int)first.DayOfWeek); ; monday = monday.PlusWeeks(interval))
                {
                    foreach (var weekday in days)
                    {
                        yield return monday.PlusDays((int)weekday - 1);
                    }
                }

            case "MONTHLY":
                for (var month = new LocalDate(first.Year, first.Month, 1); month.Year <= first.Year + 100; month = month.PlusMonths(interval))
                {
                    foreach (var day in MonthDays(month, first, byDay, byMonthDay))
                    {
                        yield return day;
                    }
                }

                yield break;

            case "YEARLY":
                for (var year = first.Year; year <= first.Year + 200; year += interval)
                {
                    var months = byMonth.Count > 0 ? byMonth.OrderBy(x => x).ToList() : [first.Month];
                    foreach (var month in months)
                    {
                        foreach (var day in MonthDays(new LocalDate(year, month, 1), first, byDay, byMonthDay))
                        {
                            yield return day;
                        }
                    }
                }

                yield break;

            default:
                yield return first;
                yield break;
        }
    }

    private static IEnumerable<LocalDate> MonthDays(LocalDate month, LocalDate first, List<(int Ordinal, IsoDayOfWeek Day)> byDay, List<int> byMonthDay)
    {
        var length = month.Calendar.GetDaysInMonth(month.Year, month.Month);
        var days = new SortedSet<int>();
        if (byMonthDay.Count > 0)
        {
            foreach (var d in byMonthDay)
            {
                var day = d > 0 ? d : length + d + 1;
                if (day >= 1 && day <= length)
                {
                    days.Add(day);
                }
            }
        }
        else if (byDay.Count > 0)
        {
            foreach (var (ordinal, weekday) in byDay)
            {
                var matches = Enumerable.Range(1, length).Where(x => new LocalDate(month.Year, month.Month, x).DayOfWeek == weekday).ToList();
                if (ordinal == 0)
                {
                    days.UnionWith(matches);
                }
                else if (Math.Abs(ordinal) <= matches.Count)
                {
                    days.Add(ordinal > 0 ? matches[ordinal - 1] : matches[matches.Count + ordinal]);
                }
            }
        }
        else if (first.Day <= length)
        {
            days.Add(first.Day); // the 31st recurs only in months that have one (RFC 5545)
        }

        return days.Select(d => new LocalDate(month.Year, month.Month, d));
    }

    private static (int, IsoDayOfWeek)? ParseDay(string value)
    {
        if (value.Length < 2)
        {
            return null;
        }

        IsoDayOfWeek? day = value[^2..] switch
        {
            "MO" => IsoDayOfWeek.Monday,
            "TU" => IsoDayOfWeek.Tuesday,
            "WE" => IsoDayOfWeek.Wednesday,
            "TH" => IsoDayOfWeek.Thursday,
            "FR" => IsoDayOfWeek.Friday,
            "SA" => IsoDayOfWeek.Saturday,
            "SU" => IsoDayOfWeek.Sunday,
            _ => null,
        };
        var ordinal = value.Length > 2 && int.TryParse(value[..^2], CultureInfo.InvariantCulture, out var o) ? o : 0;
        return day is { } weekday ? (ordinal, weekday) : null;
    }

    private static Instant? Until(string value, DateTimeZone zone)
    {
        if (value.EndsWith('Z') && BasicLocal.Parse(value[..^1]).TryGetValue(default, out var utc))
        {
            return utc.InUtc().ToInstant();
        }

        if (BasicLocal.Parse(value).TryGetValue(default, out var local))
        {
            return local.InZoneLeniently(zone).ToInstant();
        }

        // UNTIL as a date includes that whole day.
        return BasicDate.Parse(value).TryGetValue(default, out var date) ? zone.AtStartOfDay(date.PlusDays(1)).ToInstant() - Duration.Epsilon : null;
    }
}
