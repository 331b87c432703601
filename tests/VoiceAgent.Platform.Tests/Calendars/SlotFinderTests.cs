using NodaTime;
using VoiceAgent.Activities.Ports;
using VoiceAgent.Calendars;

namespace VoiceAgent.Platform.Tests.Calendars;

public sealed class SlotFinderTests
{
    private static readonly DateTimeZone Berlin = DateTimeZoneProviders.Tzdb["Europe/Berlin"];
    private static readonly SlotFinder.Options Options = new(Berlin, BusinessHours.Default, 30, 0);

    private static Instant At(int year, int month, int day, int hour, int minute = 0) =>
        Berlin.AtStrictly(new LocalDateTime(year, month, day, hour, minute)).ToInstant();

    private static SlotRequest Request(string? date = null, string? time = null, string? partOfDay = null, int count = 3,
        IReadOnlyCollection<DateTimeOffset>? exclude = null) =>
        new(30, 14, count, date, time, partOfDay, exclude ?? []);

    [Fact]
    public void On_a_saturday_the_first_slots_are_monday_morning()
    {
        var slots = SlotFinder.Find(Request(), Options, At(2026, 11, 21, 9), []);

        Assert.Equal(["Montag, 23. November um 9 Uhr", "Montag, 23. November um 9:30 Uhr", "Montag, 23. November um 10 Uhr"], slots.Select(s => s.Text));
        Assert.Equal(TimeSpan.FromHours(1), slots[0].Start.Offset);
    }

    [Fact]
    public void Busy_time_buffer_and_offered_slots_are_skipped()
    {
        var busy = new[] { (At(2026, 11, 23, 9), At(2026, 11, 23, 10)) };
        var options = Options with { BufferMinutes = 15 };
        var exclude = new[] { At(2026, 11, 23, 10, 30).ToDateTimeOffset() };

        var slots = SlotFinder.Find(Request(exclude: exclude, count: 2), options, At(2026, 11, 21, 9), busy);

        // 10:00 touches the buffer after the busy hour; 10:30 was offered already.
        Assert.Equal(["Montag, 23. November um 11 Uhr", "Montag, 23. November um 11:30 Uhr"], slots.Select(s => s.Text));
    }

    [Fact]
    public void Preferred_date_time_and_part_of_day_are_honoured()
    {
        var now = At(2026, 11, 21, 9);

        Assert.Equal("Dienstag, 24. November um 14:30 Uhr", SlotFinder.Find(Request("2026-11-24", "14:30"), Options, now, [])[0].Text);
        Assert.Equal("Mittwoch, 25. November um 12 Uhr", SlotFinder.Find(Request("2026-11-25", partOfDay: "afternoon"), Options, now, [])[0].Text);
        Assert.Empty(SlotFinder.Find(Request(partOfDay: "evening"), Options, now, []));
    }

    [Fact]
    public void Slots_never_start_in_the_past()
    {
        var slots = SlotFinder.Find(Request(count: 1), Options, At(2026, 11, 23, 9, 50), []);
        Assert.Equal("Montag, 23. November um 10:30 Uhr", slots[0].Text);
    }

    [Fact]
    public void Last_sunday_of_march_keeps_wall_clock_hours_across_the_dst_change()
    {
        var sunday = BusinessHours.Parse("""{"sun":["01:00-04:00"]}""");
        var slots = SlotFinder.Find(new SlotRequest(60, 2, 4, null, null, null, []), Options with { Hours = sunday, GridMinutes = 60 },
            At(2027, 3, 27, 12), []);

        // 02:00–03:00 does not exist on 2027-03-28: no slot there, and none offered twice.
        Assert.Equal(["01:00+01:00", "03:00+02:00"], slots.Select(s => s.Start.ToString("HH:mmzzz")));
    }

    [Fact]
    public void Last_sunday_of_october_ends_business_hours_at_the_right_instant()
    {
        var sunday = BusinessHours.Parse("""{"sun":["09:00-10:00"]}""");
        var slot = Assert.Single(SlotFinder.Find(new SlotRequest(60, 2, 3, null, null, null, []), Options with { Hours = sunday, GridMinutes = 60 },
            At(2026, 10, 24, 12), []));

        Assert.Equal(new DateTimeOffset(2026, 10, 25, 9, 0, 0, TimeSpan.FromHours(1)), slot.Start);
        Assert.Equal("Sonntag, 25. Oktober um 9 Uhr", slot.Text);
    }

    [Theory]
    [InlineData("""{"mon":["9-17"]}""")]
    [InlineData("""{"mon":["17:00-09:00"]}""")]
    [InlineData("""{"montag":["09:00-17:00"]}""")]
    public void Malformed_business_hours_are_refused_in_german(string json) =>
        Assert.Throws<FormatException>(() => BusinessHours.Parse(json));
}
