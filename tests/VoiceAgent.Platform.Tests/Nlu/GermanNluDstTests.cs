using NodaTime;
using VoiceAgent.CallFlows.Nlu;

namespace VoiceAgent.Platform.Tests.Nlu;

/// <summary>Berlin switches to summer time on 2026-03-29 and 2027-03-28 (02:00 → 03:00) and back on 2026-10-25 (03:00 → 02:00).</summary>
public sealed class GermanNluDstTests
{
    private static readonly DateTimeZone Berlin = DateTimeZoneProviders.Tzdb["Europe/Berlin"];

    private static readonly Offset Winter = Offset.FromHours(1);
    private static readonly Offset Summer = Offset.FromHours(2);

    private static ZonedDateTime At(int year, int month, int day, int hour, int minute = 0) =>
        new LocalDateTime(year, month, day, hour, minute).InZoneStrictly(Berlin);

    [Fact]
    public void Sunday_afternoon_after_the_spring_change_is_summer_time()
    {
        var result = GermanNlu.Parse("Sonntag um halb drei", At(2027, 3, 26, 10));

        Assert.Equal(new LocalDate(2027, 3, 28), result.Date);
        Assert.Equal(new LocalTime(14, 30), result.Time);
        var zoned = GermanNlu.ToZoned(result.Date, result.Time, Berlin);
        Assert.Equal(new LocalDateTime(2027, 3, 28, 14, 30), zoned?.LocalDateTime);
        Assert.Equal(Summer, zoned?.Offset);
    }

    [Fact]
    public void A_time_in_the_spring_forward_gap_moves_forward_by_the_length_of_the_gap()
    {
        var result = GermanNlu.Parse("Sonntag um 2:30 Uhr nachts", At(2027, 3, 26, 10));

        Assert.Equal(new LocalDate(2027, 3, 28), result.Date);
        Assert.Equal(new LocalTime(2, 30), result.Time);
        var zoned = GermanNlu.ToZoned(result.Date, result.Time, Berlin);
        Assert.Equal(new LocalDateTime(2027, 3, 28, 3, 30), zoned?.LocalDateTime);
        Assert.Equal(Summer, zoned?.Offset);
        Assert.Equal(Instant.FromUtc(2027, 3, 28, 1, 30), zoned?.ToInstant());
    }

    [Fact]
    public void A_24_hour_clock_time_in_the_gap_is_shifted_the_same_way()
    {
        var zoned = GermanNlu.ToZoned(new LocalDate(2027, 3, 28), new LocalTime(2, 30), Berlin);

        Assert.Equal(new LocalDateTime(2027, 3, 28, 3, 30), zoned?.LocalDateTime);
        Assert.Equal(Summer, zoned?.Offset);
    }

    [Fact]
    public void An_ambiguous_autumn_time_takes_the_earlier_offset()
    {
        var result = GermanNlu.Parse("morgen um 02:30", At(2026, 10, 24, 10));

        Assert.Equal(new LocalDate(2026, 10, 25), result.Date);
        Assert.Equal(new LocalTime(2, 30), result.Time);
        var zoned = GermanNlu.ToZoned(result.Date, result.Time, Berlin);
        Assert.Equal(new LocalDateTime(2026, 10, 25, 2, 30), zoned?.LocalDateTime);
        Assert.Equal(Summer, zoned?.Offset);
        Assert.Equal(Instant.FromUtc(2026, 10, 25, 0, 30), zoned?.ToInstant());
    }

    [Fact]
    public void Tomorrow_morning_after_the_autumn_change_is_winter_time()
    {
        var result = GermanNlu.Parse("morgen um 10", At(2026, 10, 24, 10));

        var zoned = GermanNlu.ToZoned(result.Date, result.Time, Berlin);
        Assert.Equal(new LocalDateTime(2026, 10, 25, 10, 0), zoned?.LocalDateTime);
        Assert.Equal(Winter, zoned?.Offset);
    }

    [Fact]
    public void Tomorrow_morning_after_the_spring_change_is_summer_time()
    {
        var now = At(2026, 3, 28, 11);
        Assert.Equal(Winter, now.Offset);

        var result = GermanNlu.Parse("morgen um 9", now);

        var zoned = GermanNlu.ToZoned(result.Date, result.Time, Berlin);
        Assert.Equal(new LocalDateTime(2026, 3, 29, 9, 0), zoned?.LocalDateTime);
        Assert.Equal(Summer, zoned?.Offset);
    }

    [Fact]
    public void In_one_hour_counts_elapsed_time_across_the_gap()
    {
        var result = GermanNlu.Parse("in einer Stunde", At(2026, 3, 29, 1, 30));

        Assert.Equal(new LocalDate(2026, 3, 29), result.Date);
        Assert.Equal(new LocalTime(3, 30), result.Time);
    }

    [Fact]
    public void No_instant_without_both_a_date_and_a_time()
    {
        Assert.Null(GermanNlu.ToZoned(new LocalDate(2026, 11, 21), null, Berlin));
        Assert.Null(GermanNlu.ToZoned(null, new LocalTime(10, 0), Berlin));
    }
}
