using NodaTime;
using VoiceAgent.CallFlows.Nlu;

namespace VoiceAgent.Platform.Tests.Nlu;

public sealed class GermanNluRobustnessTests
{
    private static readonly ZonedDateTime SaturdayMorning =
        new LocalDateTime(2026, 11, 21, 9, 0).InZoneStrictly(DateTimeZoneProviders.Tzdb["Europe/Berlin"]);

    [Theory]
    [InlineData("Übermorgen um fünf nach halb zwei möchte ich einen Termin")]
    [InlineData("uebermorgen um fuenf nach halb zwei moechte ich einen termin")]
    [InlineData("ÜBERMORGEN UM FÜNF NACH HALB ZWEI MÖCHTE ICH EINEN TERMIN!")]
    [InlineData("U\u0308bermorgen um fu\u0308nf nach halb zwei mo\u0308chte ich einen Termin")]
    [InlineData("Äh, ähm, übermorgen, äh, um fünf nach halb zwei … möchte ich, hm, einen Termin.")]
    public void Spelling_case_decomposed_umlauts_and_hesitations_do_not_change_the_reading(string text)
    {
        var result = GermanNlu.Parse(text, SaturdayMorning);

        Assert.Equal(Intent.BookAppointment, result.Intent);
        Assert.Equal(new LocalDate(2026, 11, 23), result.Date);
        Assert.Equal(new LocalTime(13, 35), result.Time);
    }

    [Theory]
    [InlineData("tschüss")]
    [InlineData("Tschüß!")]
    [InlineData("tschuess")]
    [InlineData("TSCHÜS")]
    [InlineData("Tschu\u0308ss")]
    public void Farewell_spellings_are_goodbye(string text) =>
        Assert.Equal(Intent.Goodbye, GermanNlu.Parse(text, SaturdayMorning).Intent);

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("?!…")]
    [InlineData("äh ähm hm")]
    [InlineData("🙂")]
    public void Empty_or_noise_input_is_unknown_without_slots(string text)
    {
        var result = GermanNlu.Parse(text, SaturdayMorning);

        Assert.Equal(new NluResult(Intent.Unknown, null, null, null, null), result);
    }

    [Theory]
    [InlineData("Guten Morgen, ich möchte meinen Termin morgen absagen", Intent.CancelAppointment, "2026-11-22")]
    [InlineData("Schönen guten Morgen", Intent.Unknown, null)]
    [InlineData("Guten Morgen! Haben Sie morgen was frei?", Intent.BookAppointment, "2026-11-22")]
    [InlineData("Einen schönen Abend noch", Intent.Goodbye, null)]
    public void Greetings_are_not_dates_or_parts_of_day(string text, Intent intent, string? date)
    {
        var result = GermanNlu.Parse(text, SaturdayMorning);

        Assert.Equal(intent, result.Intent);
        Assert.Equal(date, GermanNluUtteranceTests.Format(result.Date));
        Assert.Null(result.PartOfDay);
    }

    [Fact]
    public void Den_ersten_freien_Termin_is_not_the_first_of_the_month()
    {
        var result = GermanNlu.Parse("Ich hätte gern den ersten freien Termin", SaturdayMorning);

        Assert.Equal(Intent.BookAppointment, result.Intent);
        Assert.Null(result.Date);
    }

    [Fact]
    public void Saying_ab_with_a_time_is_not_a_cancellation()
    {
        var result = GermanNlu.Parse("Können Sie mir sagen, ob ab 10 Uhr ein Termin frei ist?", SaturdayMorning);

        Assert.Equal(Intent.BookAppointment, result.Intent);
        Assert.Equal(new LocalTime(10, 0), result.Time);
    }

    [Fact]
    public void A_weekday_named_on_that_day_is_today_while_the_time_is_still_ahead()
    {
        var saturdayEvening = SaturdayMorning.PlusHours(10);

        Assert.Equal(new LocalDate(2026, 11, 21), GermanNlu.Parse("Samstag um 8 Uhr abends", saturdayEvening).Date);
        Assert.Equal(new LocalDate(2026, 11, 28), GermanNlu.Parse("Samstag um 6 Uhr abends", saturdayEvening).Date);
    }

    [Fact]
    public void Next_weekday_on_a_monday_is_the_first_one_after_today()
    {
        var monday = new LocalDateTime(2026, 11, 23, 9, 0).InZoneStrictly(DateTimeZoneProviders.Tzdb["Europe/Berlin"]);

        Assert.Equal(new LocalDate(2026, 11, 24), GermanNlu.Parse("nächsten Dienstag", monday).Date);
        Assert.Equal(new LocalDate(2026, 11, 30), GermanNlu.Parse("nächsten Montag", monday).Date);
        Assert.Equal(new LocalDate(2026, 11, 23), GermanNlu.Parse("Montag", monday).Date);
        Assert.Equal(new LocalDate(2026, 12, 1), GermanNlu.Parse("Dienstag nächste Woche", monday).Date);
    }

    [Theory]
    [InlineData(Intent.Unknown, "unknown")]
    [InlineData(Intent.BookAppointment, "book_appointment")]
    [InlineData(Intent.QueryAppointments, "query_appointments")]
    [InlineData(Intent.CancelAppointment, "cancel_appointment")]
    [InlineData(Intent.Human, "human")]
    [InlineData(Intent.Yes, "yes")]
    [InlineData(Intent.No, "no")]
    [InlineData(Intent.Repeat, "repeat")]
    [InlineData(Intent.Goodbye, "goodbye")]
    public void Intent_wire_names_round_trip(Intent intent, string name)
    {
        Assert.Equal(name, IntentNames.ToName(intent));
        Assert.Equal(name, new NluResult(intent, null, null, null, null).IntentName);
        Assert.True(IntentNames.TryParse(name.ToUpperInvariant(), out var parsed));
        Assert.Equal(intent, parsed);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("buchen")]
    [InlineData("BookAppointment")]
    public void Unknown_wire_names_do_not_parse(string? name)
    {
        Assert.False(IntentNames.TryParse(name, out var parsed));
        Assert.Equal(Intent.Unknown, parsed);
    }
}
