using NodaTime;
using VoiceAgent.CallFlows.Nlu;

namespace VoiceAgent.Platform.Tests.Nlu;

public sealed class GermanNluYesNoAndDigitsTests
{
    private static readonly ZonedDateTime SaturdayMorning =
        new LocalDateTime(2026, 11, 21, 9, 0).InZoneStrictly(DateTimeZoneProviders.Tzdb["Europe/Berlin"]);

    [Theory]
    [InlineData("ja")]
    [InlineData("Ja!")]
    [InlineData("jawohl")]
    [InlineData("Jo")]
    [InlineData("Ja, ja")]
    [InlineData("Äh, ja")]
    [InlineData("genau")]
    [InlineData("gerne")]
    [InlineData("Sehr gerne")]
    [InlineData("passt")]
    [InlineData("Passt schon")]
    [InlineData("richtig")]
    [InlineData("Stimmt")]
    [InlineData("ok")]
    [InlineData("O.K.")]
    [InlineData("Okay")]
    [InlineData("einverstanden")]
    [InlineData("Alles klar")]
    [InlineData("In Ordnung")]
    [InlineData("Auf jeden Fall")]
    [InlineData("Natürlich")]
    [InlineData("Mhm")]
    [InlineData("Doch")]
    [InlineData("Warum nicht")]
    [InlineData("Kein Problem")]
    [InlineData("Das geht")]
    [InlineData("Passt, nicht?")]
    [InlineData("Nein, doch, ja")]
    [InlineData("Ja gerne, aber erst um zehn")]
    public void Confirmations_are_yes(string text)
    {
        Assert.True(GermanNlu.TryParseYesNo(text, out var yes));
        Assert.True(yes);
    }

    [Theory]
    [InlineData("nein")]
    [InlineData("Nee")]
    [InlineData("Nö")]
    [InlineData("Ne")]
    [InlineData("Ne, danke")]
    [InlineData("Lieber nicht")]
    [InlineData("Passt nicht")]
    [InlineData("Geht nicht")]
    [InlineData("Das geht leider nicht")]
    [InlineData("Das passt mir leider nicht")]
    [InlineData("Nicht so gut")]
    [InlineData("Falsch")]
    [InlineData("Das ist nicht richtig")]
    [InlineData("Stimmt nicht")]
    [InlineData("Auf keinen Fall")]
    [InlineData("Nein danke")]
    [InlineData("Nein danke, das passt so")]
    [InlineData("Ja, äh, nein")]
    [InlineData("Ja, aber das passt mir nicht")]
    [InlineData("Eher nicht")]
    [InlineData("Da habe ich keine Zeit")]
    public void Refusals_are_no(string text)
    {
        Assert.True(GermanNlu.TryParseYesNo(text, out var yes));
        Assert.False(yes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("äh")]
    [InlineData("Ich weiß nicht")]
    [InlineData("Keine Ahnung")]
    [InlineData("Morgen um zehn")]
    [InlineData("Morgen, ne?")]
    [InlineData("Ne Frage hätte ich noch")]
    [InlineData("Bitte?")]
    public void Other_answers_are_neither_yes_nor_no(string text) =>
        Assert.False(GermanNlu.TryParseYesNo(text, out _));

    [Theory]
    [InlineData("eins zwei drei", "123")]
    [InlineData("1 2 3", "123")]
    [InlineData("123", "123")]
    [InlineData("zwölf", "12")]
    [InlineData("zwoelf", "12")]
    [InlineData("einundzwanzig", "21")]
    [InlineData("Eins, Zwei, Drei.", "123")]
    [InlineData("null eins sieben eins, zwo drei", "017123")]
    [InlineData("ähm, drei, vier … fünf", "345")]
    [InlineData("Meine Kundennummer ist 4711", "4711")]
    [InlineData("0171 2345678", "01712345678")]
    [InlineData("sieben acht neun null", "7890")]
    [InlineData("Ich habe eine Nummer: fünf fünf", "55")]
    [InlineData("fünfzehn siebenundvierzig", "1547")]
    public void Digits_are_read_from_words_and_numerals(string text, string digits) =>
        Assert.Equal(digits, GermanNlu.ParseDigits(text));

    [Theory]
    [InlineData("")]
    [InlineData("keine Ahnung")]
    [InlineData("ein Termin, eine Frage")]
    public void No_digits_gives_null(string text) => Assert.Null(GermanNlu.ParseDigits(text));

    [Theory]
    [InlineData("Meine Kundennummer ist 4 7 1 1", "4711")]
    [InlineData("Morgen um 10 Uhr", null)]
    [InlineData("in zwei Wochen um halb drei", null)]
    [InlineData("Einen Tisch für vier Personen am Freitag um 8", "4")]
    [InlineData("am 3. Dezember 2026", null)]
    public void Parse_reports_only_numbers_that_are_not_part_of_a_date_or_time(string text, string? digits) =>
        Assert.Equal(digits, GermanNlu.Parse(text, SaturdayMorning).Digits);
}
