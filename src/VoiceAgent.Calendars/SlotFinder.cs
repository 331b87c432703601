using NodaTime;
using VoiceAgent.Activities.Ports;
using VoiceAgent.Flows.Expressions;

namespace VoiceAgent.Calendars;

/// <summary>
/// Finds free slots: candidates on a grid inside business hours, in the tenant's zone (DST-safe: wall-clock times the
/// spring change skips are no slots), not in the past, not overlapping busy time (plus buffer), not already offered. A preferred date
/// starts the search on that day; a preferred time puts the nearest candidates first; a part of day filters.
/// </summary>
public static class SlotFinder
{
    public sealed record Options(DateTimeZone Zone, BusinessHours Hours, int GridMinutes, int BufferMinutes);

    public static IReadOnlyList<Slot> Find(SlotRequest request, Options options, Instant now, IReadOnlyList<(Instant Start, Instant End)> busy)
    {
        var zone = options.Zone;
        var today = now.InZone(zone).Date;
        var firstDay = TryDate(request.PreferredDate) is { } preferred && preferred >= today ? preferred : today;
        var lastDay = today.PlusDays(request.LookaheadDays);
        var preferredTime = TryTime(request.PreferredTime);
        var duration = Duration.FromMinutes(request.DurationMinutes);
        var buffer = Duration.FromMinutes(options.BufferMinutes);
        var excluded = request.Exclude.Select(Instant.FromDateTimeOffset).ToHashSet();
        var earliest = now + Duration.FromMinutes(15);
        var result = new List<Slot>();

        for (var day = firstDay; day <= lastDay && result.Count < request.Count; day = day.PlusDays(1))
        {
            var candidates = new List<ZonedDateTime>();
            foreach (var (open, close) in options.Hours.On(day.DayOfWeek))
            {
                for (var t = open; t.PlusMinutes(request.DurationMinutes) <= close && t >= open; t = t.PlusMinutes(options.GridMinutes))
                {
                    if (!InPartOfDay(t, request.PartOfDay))
                    {
                        continue;
                    }

                    // A wall-clock time skipped by the spring DST change is no slot; an autumn-ambiguous one takes the first occurrence.
                    var mapping = zone.MapLocal(day + t);
                    if (mapping.Count == 0)
                    {
                        continue;
                    }

                    var start = mapping.First();
                    var startInstant = start.ToInstant();
                    var endInstant = startInstant + duration;
                    if (startInstant < earliest || excluded.Contains(startInstant)
                        || busy.Any(b => startInstant < b.End + buffer && b.Start - buffer < endInstant))
                    {
                        continue;
                    }

                    candidates.Add(start);
                }
            }

            if (preferredTime is { } wish)
            {
                candidates = candidates.OrderBy(c => Math.Abs(Period.Between(wish, c.TimeOfDay, PeriodUnits.Minutes).Minutes)).ThenBy(c => c.TimeOfDay).ToList();
            }

            foreach (var start in candidates.Take(request.Count - result.Count))
            {
                var s = start.ToDateTimeOffset();
                result.Add(new Slot(s, (start.ToInstant() + duration).InZone(zone).ToDateTimeOffset(), Filters.SpokenDateTime(s)));
            }
        }

        return result;
    }

    private static bool InPartOfDay(LocalTime t, string? partOfDay) => partOfDay switch
    {
        "morning" => t.Hour < 12,
        "afternoon" => t.Hour is >= 12 and < 17,
        "evening" => t.Hour >= 17,
        _ => true,
    };

    private static LocalDate? TryDate(string? value) =>
        value is not null && NodaTime.Text.LocalDatePattern.Iso.Parse(value).TryGetValue(default, out var d) ? d : null;

    private static LocalTime? TryTime(string? value) =>
        value is not null && NodaTime.Text.LocalTimePattern.CreateWithInvariantCulture("HH:mm").Parse(value).TryGetValue(default, out var t) ? t : null;
}
