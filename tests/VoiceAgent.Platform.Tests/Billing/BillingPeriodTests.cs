using System.Globalization;
using System.Text.Json;
using Hangfire.Common;
using NodaTime;
using VoiceAgent.Billing;

namespace VoiceAgent.Platform.Tests.Billing;

public sealed class BillingPeriodTests
{
    public BillingPeriodTests() => CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("de-DE");

    [Fact]
    public void March_starts_at_berlin_midnight_in_winter_time_and_ends_in_summer_time()
    {
        var march = new BillingPeriod(2026, 3);

        Assert.Equal(Instant.FromUtc(2026, 2, 28, 23, 0), march.Start);
        Assert.Equal(Instant.FromUtc(2026, 3, 31, 22, 0), march.End);
        Assert.Equal(Duration.FromHours(31 * 24 - 1), march.End - march.Start);
    }

    [Fact]
    public void October_starts_in_summer_time_and_has_an_hour_more()
    {
        var october = new BillingPeriod(2026, 10);

        Assert.Equal(Instant.FromUtc(2026, 9, 30, 22, 0), october.Start);
        Assert.Equal(Instant.FromUtc(2026, 10, 31, 23, 0), october.End);
        Assert.Equal(Duration.FromHours(31 * 24 + 1), october.End - october.Start);
    }

    [Fact]
    public void A_period_ends_where_the_next_one_starts()
    {
        for (var period = new BillingPeriod(2025, 1); period < new BillingPeriod(2028, 1); period = period.Next)
        {
            Assert.Equal(period.Next.Start, period.End);
            Assert.Equal(period.FirstDay.PlusMonths(1).PlusDays(-1), period.LastDay);
        }
    }

    [Theory]
    [InlineData("2026-03-31T21:59:59Z", "2026-03")]
    [InlineData("2026-03-31T22:00:00Z", "2026-04")]
    [InlineData("2026-10-31T22:59:59Z", "2026-10")]
    [InlineData("2026-10-31T23:00:00Z", "2026-11")]
    [InlineData("2026-12-31T22:59:59Z", "2026-12")]
    [InlineData("2026-12-31T23:00:00Z", "2027-01")]
    [InlineData("2027-01-01T00:00:00Z", "2027-01")]
    public void An_instant_belongs_to_the_berlin_month(string utc, string expected)
    {
        var instant = NodaTime.Text.InstantPattern.General.Parse(utc).Value;

        var period = BillingPeriod.Containing(instant);

        Assert.Equal(expected, period.ToString());
        Assert.True(period.Contains(instant));
        Assert.False(period.Previous.Contains(instant));
        Assert.False(period.Next.Contains(instant));
        Assert.Equal(period, BillingPeriod.Containing(instant.ToDateTimeOffset()));
    }

    [Fact]
    public void Previous_and_next_cross_the_year_boundary()
    {
        var january = new BillingPeriod(2027, 1);

        Assert.Equal(new BillingPeriod(2026, 12), january.Previous);
        Assert.Equal(january, january.Previous.Next);
        Assert.Equal(new BillingPeriod(2025, 12), january.PlusMonths(-13));
        Assert.Equal(new LocalDate(2026, 12, 31), january.Previous.LastDay);
        Assert.Equal(Instant.FromUtc(2026, 12, 31, 23, 0), january.Previous.End);
        Assert.True(january.Previous < january);
    }

    [Fact]
    public void The_monthly_job_on_the_first_of_january_bills_december()
    {
        // 02:00 Berlin on 1 January is 01:00 UTC.
        var now = new DateTimeOffset(2027, 1, 1, 1, 0, 0, TimeSpan.Zero);

        Assert.Equal(new BillingPeriod(2026, 12), BillingPeriod.Containing(now).Previous);
    }

    [Theory]
    [InlineData(2026, 2, 28)]
    [InlineData(2028, 2, 29)]
    [InlineData(2026, 4, 30)]
    [InlineData(2026, 12, 31)]
    public void Days_in_month_follow_the_calendar(int year, int month, int days)
    {
        var period = new BillingPeriod(year, month);

        Assert.Equal(days, period.DaysInMonth);
        Assert.Equal(new LocalDate(year, month, 1), period.FirstDay);
        Assert.Equal(new LocalDate(year, month, days), period.LastDay);
    }

    [Theory]
    [InlineData(2026, 11, "2026-11", "November 2026")]
    [InlineData(2026, 3, "2026-03", "März 2026")]
    [InlineData(987, 1, "0987-01", "Januar 987")]
    public void Text_form_is_iso_and_display_is_german(int year, int month, string text, string display)
    {
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("en-GB");
        var period = new BillingPeriod(year, month);

        Assert.Equal(text, period.ToString());
        Assert.Equal(display, period.Display);
        Assert.Equal(period, BillingPeriod.Parse(text));
    }

    [Theory]
    [InlineData("2026-13")]
    [InlineData("2026-00")]
    [InlineData("0000-01")]
    [InlineData("2026-1")]
    [InlineData("26-01")]
    [InlineData("2026/01")]
    [InlineData("2026-01-01")]
    [InlineData(" 2026-01")]
    [InlineData("+026-01")]
    [InlineData("2026-+1")]
    [InlineData("Januar")]
    [InlineData("")]
    public void Anything_but_yyyy_mm_is_refused_with_a_german_message(string text)
    {
        Assert.False(BillingPeriod.TryParse(text, out _));

        var error = Assert.Throws<FormatException>(() => BillingPeriod.Parse(text));
        Assert.Equal($"Ungültiger Zeitraum „{text}“: erwartet wird JJJJ-MM, z. B. 2026-01.", error.Message);
    }

    [Fact]
    public void The_parse_error_follows_the_ui_language()
    {
        Assert.False(BillingPeriod.TryParse(null, out _));
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("en-GB");

        var error = Assert.Throws<FormatException>(() => BillingPeriod.Parse("2026-13"));

        Assert.Equal("Invalid period \"2026-13\": expected YYYY-MM, e.g. 2026-01.", error.Message);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(10000, 1)]
    [InlineData(2026, 0)]
    [InlineData(2026, 13)]
    public void Out_of_range_years_and_months_are_not_periods(int year, int month) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new BillingPeriod(year, month));

    [Fact]
    public void The_default_is_january_of_year_one_not_a_month_zero() =>
        Assert.Equal("0001-01", default(BillingPeriod).ToString());

    [Fact]
    public void Json_carries_the_text_form()
    {
        var json = JsonSerializer.Serialize(new { Period = new BillingPeriod(2026, 11) });

        Assert.Equal("""{"Period":"2026-11"}""", json);
        Assert.Equal(new BillingPeriod(2026, 11), JsonSerializer.Deserialize<BillingPeriod>("\"2026-11\""));
        var error = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<BillingPeriod>("\"2026-13\""));
        Assert.StartsWith("Ungültiger Zeitraum „2026-13“", error.Message);
    }

    // Hangfire stores job arguments with Json.NET; a period must come back from storage as the same month.
    [Fact]
    public void A_hangfire_job_argument_is_stored_as_the_text_form()
    {
        var stored = SerializationHelper.Serialize(new BillingPeriod(2026, 11), SerializationOption.User);

        Assert.Equal("\"2026-11\"", stored);
        Assert.Equal(new BillingPeriod(2026, 11), SerializationHelper.Deserialize<BillingPeriod>(stored, SerializationOption.User));
    }

    // The period columns hold the month's first day; the mapping is the only place that knows.
    [Fact]
    public void Invoices_and_runs_store_the_first_day_of_the_month()
    {
        var november = new BillingPeriod(2026, 11);

        Assert.Equal(new DateOnly(2026, 11, 1), november.ToColumn());
        Assert.Equal(november, new Invoice { Kind = InvoiceKinds.Monthly, Status = InvoiceStatuses.Draft, Issuer = "{}", Recipient = "{}", TaxRule = "domestic", Period = november.ToColumn() }.BillingPeriod());
        Assert.Equal(november, new BillingRunRecord { Trigger = RunTriggers.Manual, Period = november.ToColumn() }.BillingPeriod());
        Assert.Equal(november, BillingPeriod.Of(new DateOnly(2026, 11, 30)));
    }

    [Fact]
    public void Minimal_api_binding_finds_try_parse()
    {
        Assert.True(TryParse<BillingPeriod>("2026-11", out var period));
        Assert.Equal(new BillingPeriod(2026, 11), period);
        Assert.False(TryParse<BillingPeriod>("November", out _));
    }

    private static bool TryParse<T>(string text, out T value)
        where T : IParsable<T> => T.TryParse(text, CultureInfo.InvariantCulture, out value!);
}
