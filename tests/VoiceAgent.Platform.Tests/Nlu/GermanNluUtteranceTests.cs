using NodaTime;
using NodaTime.Text;
using VoiceAgent.CallFlows.Nlu;

namespace VoiceAgent.Platform.Tests.Nlu;

/// <summary>
/// What callers say, relative to Saturday 2026-11-21 09:00 in Berlin. Handy dates: Sun 22, Mon 23, Tue 24, Wed 25,
/// Thu 26, Fri 27, Sat 28 November; Tue 1, Thu 3, Fri 4, Sat 5 December.
/// </summary>
public sealed class GermanNluUtteranceTests
{
    private static readonly ZonedDateTime SaturdayMorning =
        new LocalDateTime(2026, 11, 21, 9, 0).InZoneStrictly(DateTimeZoneProviders.Tzdb["Europe/Berlin"]);

    private const string Book = "book_appointment";
    private const string Query = "query_appointments";
    private const string Cancel = "cancel_appointment";
    private const string Human = "human";
    private const string Yes = "yes";
    private const string No = "no";
    private const string Repeat = "repeat";
    private const string Goodbye = "goodbye";
    private const string Unknown = "unknown";

    private const PartOfDay Morning = PartOfDay.Morning;
    private const PartOfDay Afternoon = PartOfDay.Afternoon;
    private const PartOfDay Evening = PartOfDay.Evening;

    public static TheoryData<string, string, string?, string?, PartOfDay?> Utterances => new()
    {
        // Booking
        { "Ich möchte einen Termin", Book, null, null, null },
        { "Termin vereinbaren", Book, null, null, null },
        { "Kann ich einen Termin machen?", Book, null, null, null },
        { "Ich hätte gern einen Termin morgen", Book, "2026-11-22", null, null },
        { "Ich würde gerne was buchen", Book, null, null, null },
        { "Ich möchte für Samstag reservieren", Book, "2026-11-21", null, null },
        { "Einen Haarschnitt am Freitag, bitte", Book, "2026-11-27", null, null },
        { "Ähm, ja, hallo, also ich bräuchte äh einen Termin für nächste Woche Dienstag", Book, "2026-11-24", null, null },
        { "Guten Morgen, ich hätte gerne einen Termin", Book, null, null, null },
        { "Haben Sie morgen Nachmittag noch was frei?", Book, "2026-11-22", null, Afternoon },
        { "Wann haben Sie den nächsten freien Termin?", Book, null, null, null },
        { "Ich bräuchte einen Termin zur Zahnreinigung am 3. Dezember vormittags", Book, "2026-12-03", null, Morning },
        { "Einen Tisch für vier Personen am Samstag um 19 Uhr", Book, "2026-11-21", "19:00", null },
        { "Ich möchte meinen Termin verschieben", Book, null, null, null },
        { "Können wir den Termin auf Donnerstag verlegen?", Book, "2026-11-26", null, null },
        { "Ich möchte mich für eine Massage anmelden", Book, null, null, null },
        { "Ich bräuchte einen Termin in zwei Wochen", Book, "2026-12-05", null, null },
        { "Geht bei Ihnen übermorgen um halb drei ein Termin?", Book, "2026-11-23", "14:30", null },
        { "einen termin am dritten dezember um zehn", Book, "2026-12-03", "10:00", null },
        { "Ich möchte am 3. Januar kommen, haben Sie da einen Termin?", Book, "2027-01-03", null, null },
        { "Ich bräuchte 'nen Termin für Montag früh", Book, "2026-11-23", null, Morning },
        { "Kann ich morgen früh für einen Haarschnitt vorbeikommen?", Book, "2026-11-22", null, Morning },
        { "Termin bitte", Book, null, null, null },
        { "Ich hätte gern einen Termin in 3 Tagen um 15:30", Book, "2026-11-24", "15:30", null },
        { "Gibt es am Montag um 14.30 Uhr noch einen Termin?", Book, "2026-11-23", "14:30", null },
        { "Ich möchte einen Termin für den zwanzigsten", Book, "2026-12-20", null, null },
        { "Wäre am einunddreißigsten noch was frei?", Book, "2026-12-31", null, null },
        { "Ich möchte für nächsten Dienstag einen Termin buchen", Book, "2026-11-24", null, null },
        { "Ich möchte gern für übernächsten Freitag einen Termin", Book, "2026-12-04", null, null },
        { "Kann ich einen Termin in einer Woche haben?", Book, "2026-11-28", null, null },
        { "Haben Sie heute Abend noch was frei?", Book, "2026-11-21", null, Evening },
        { "Ich möchte einen Termin am Montag um drei Uhr nachmittags", Book, "2026-11-23", "15:00", Afternoon },
        { "Einen Termin für morgen, abends um acht", Book, "2026-11-22", "20:00", Evening },
        { "Termin am 03.12.2026 um 9 Uhr", Book, "2026-12-03", "09:00", null },
        { "Ich hätte gerne einen Termin am 3.12. gegen Viertel nach neun", Book, "2026-12-03", "09:15", null },
        { "Einen Termin Dienstag um Viertel vor zehn bitte", Book, "2026-11-24", "09:45", null },
        { "Haben Sie am Mittwoch um dreiviertel zehn noch etwas frei?", Book, "2026-11-25", "09:45", null },
        { "Ich möchte am Donnerstag um zehn nach drei einen Termin", Book, "2026-11-26", "15:10", null },
        { "Ich möchte einen Termin um 15 Uhr 30", Book, null, "15:30", null },
        { "Ich hätte gern einen Termin mittags", Book, null, "12:00", null },
        { "Ich möchte mir die Haare schneiden lassen, am liebsten Freitagnachmittag", Book, "2026-11-27", null, Afternoon },
        { "Kann ich am Wochenende einen Termin bekommen?", Book, "2026-11-21", null, null },
        { "Ich hätte gerne einen Termin Ende nächster Woche", Book, "2026-11-27", null, null },
        { "Ich möchte einen Termin in acht Tagen", Book, "2026-11-28", null, null },
        { "Einen Termin am dritten zwölften um 11 Uhr", Book, "2026-12-03", "11:00", null },
        { "Ich brauche dringend einen Termin, heute noch, so gegen halb fünf", Book, "2026-11-21", "16:30", null },
        { "Ich möchte einen Termin machen für den 20. November", Book, "2027-11-20", null, null },
        { "Ich hätte gern einen Termin nächsten Monat", Book, "2026-12-01", null, null },
        { "Ich hätte gern einen Termin um 7", Book, null, "19:00", null },
        { "Ich hätte gern einen Termin um 07:30", Book, null, "07:30", null },
        { "Termin morgen um 8 Uhr früh", Book, "2026-11-22", "08:00", Morning },
        { "Moin, ich will nen Termin für übermorgen", Book, "2026-11-23", null, null },
        { "Servus, hätt gern an Termin am Dienstag", Book, "2026-11-24", null, null },
        { "Ich möchte einen Termin, und zwar am 24.11. um 16 Uhr", Book, "2026-11-24", "16:00", null },
        { "Können Sie mir einen Termin geben, Sonntag in zwei Wochen?", Book, "2026-12-06", null, null },
        { "ich moechte einen termin fuer uebermorgen um fuenf nach halb zwei", Book, "2026-11-23", "13:35", null },
        { "Ich möchte einen Termin beim Chef", Book, null, null, null },
        { "Ich kann morgen nicht kommen, geht auch ein anderer Termin?", Book, "2026-11-22", null, null },
        { "Ich brauche eine Beratung, am besten Donnerstagvormittag", Book, "2026-11-26", null, Morning },
        { "Ich möchte am Dienstag kommen. Einen Termin um zwei Uhr, bitte.", Book, "2026-11-24", "14:00", null },

        // Questions about the caller's own appointments
        { "Wann ist mein Termin?", Query, null, null, null },
        { "Habe ich einen Termin?", Query, null, null, null },
        { "Meine Termine bitte", Query, null, null, null },
        { "Ich wollte nachfragen, wann ich dran bin", Query, null, null, null },
        { "Ich möchte mich informieren", Query, null, null, null },
        { "Hab ich morgen noch einen Termin bei Ihnen?", Query, "2026-11-22", null, null },
        { "Können Sie mir sagen, wann mein nächster Termin ist?", Query, null, null, null },
        { "Ich habe einen Termin gebucht und weiß nicht mehr wann", Query, null, null, null },
        { "Äh, ist mein Termin am Freitag noch aktuell?", Query, "2026-11-27", null, null },
        { "Um wie viel Uhr war nochmal mein Termin?", Query, null, null, null },
        { "Steht der Termin morgen noch?", Query, "2026-11-22", null, null },

        // Cancellations
        { "Ich möchte meinen Termin absagen", Cancel, null, null, null },
        { "Termin stornieren bitte", Cancel, null, null, null },
        { "Ich kann morgen leider nicht kommen", Cancel, "2026-11-22", null, null },
        { "Bitte löschen Sie meinen Termin am Dienstag", Cancel, "2026-11-24", null, null },
        { "Ich sage den Termin ab", Cancel, null, null, null },
        { "Ich muss leider absagen, ich bin krank", Cancel, null, null, null },
        { "Ich schaffe es am Freitag nicht", Cancel, "2026-11-27", null, null },
        { "Den Termin um halb drei brauche ich nicht mehr", Cancel, null, "14:30", null },
        { "Ich möchte meinen Termin absagen und einen neuen machen", Cancel, null, null, null },
        { "Können Sie bitte meinen Termin canceln", Cancel, null, null, null },
        { "Termin absagen, danke, tschüss", Cancel, null, null, null },

        // A person, please
        { "Ich möchte mit einem Mitarbeiter sprechen", Human, null, null, null },
        { "Kann ich bitte mit einem echten Menschen reden?", Human, null, null, null },
        { "Verbinden Sie mich bitte mit der Rezeption", Human, null, null, null },
        { "Können Sie mich weiterleiten?", Human, null, null, null },
        { "Stellen Sie mich bitte zum Chef durch", Human, null, null, null },
        { "Ich will mit jemandem sprechen", Human, null, null, null },
        { "Ich möchte nicht mit einem Roboter reden", Human, null, null, null },
        { "Kann ich Frau Müller sprechen?", Human, null, null, null },

        // Yes
        { "Ja", Yes, null, null, null },
        { "Ja bitte", Yes, null, null, null },
        { "Genau", Yes, null, null, null },
        { "Passt", Yes, null, null, null },
        { "Einverstanden", Yes, null, null, null },
        { "Okay", Yes, null, null, null },
        { "Sehr gerne", Yes, null, null, null },
        { "Jawohl, das ist richtig", Yes, null, null, null },
        { "Ja, am Freitag um 10", Yes, "2026-11-27", "10:00", null },
        { "Äh ja, passt mir gut", Yes, null, null, null },
        { "Ja gerne, aber erst um 11", Yes, null, "11:00", null },
        { "Alles klar", Yes, null, null, null },
        { "O.K., machen Sie das", Yes, null, null, null },
        { "Bitte.", Yes, null, null, null },

        // No
        { "Nein", No, null, null, null },
        { "Nee", No, null, null, null },
        { "Lieber nicht", No, null, null, null },
        { "Das passt mir leider nicht", No, null, null, null },
        { "Nein, lieber am Montag", No, "2026-11-23", null, null },
        { "Geht nicht", No, null, null, null },
        { "Ja, äh, nein, doch nicht", No, null, null, null },
        { "Nein danke", No, null, null, null },
        { "Das ist falsch", No, null, null, null },
        { "Dienstag passt mir nicht so gut", No, "2026-11-24", null, null },

        // Repeat
        { "Wie bitte?", Repeat, null, null, null },
        { "Nochmal bitte", Repeat, null, null, null },
        { "Können Sie das wiederholen?", Repeat, null, null, null },
        { "Das hab ich nicht verstanden", Repeat, null, null, null },
        { "Was?", Repeat, null, null, null },
        { "Bitte?", Repeat, null, null, null },
        { "Sorry, ich hab Sie akustisch nicht verstanden", Repeat, null, null, null },
        { "Können Sie den Termin noch mal sagen?", Repeat, null, null, null },

        // Goodbye
        { "Tschüss", Goodbye, null, null, null },
        { "Auf Wiederhören", Goodbye, null, null, null },
        { "Danke, das wär's", Goodbye, null, null, null },
        { "Nein danke, tschüss", Goodbye, null, null, null },
        { "Ciao", Goodbye, null, null, null },
        { "Schönen Tag noch", Goodbye, null, null, null },
        { "Danke, das war's, schönen Abend noch", Goodbye, null, null, null },
        { "Tschüß, bis dann", Goodbye, null, null, null },
        { "Dankeschön, auf Wiedersehen", Goodbye, null, null, null },

        // Nothing to act on, or only a date/time for the slot the flow is asking about
        { "Guten Tag", Unknown, null, null, null },
        { "Hallo?", Unknown, null, null, null },
        { "Danke", Unknown, null, null, null },
        { "Guten Morgen", Unknown, null, null, null },
        { "Heute Morgen hat keiner abgenommen", Unknown, "2026-11-21", null, Morning },
        { "Am Freitag um 10", Unknown, "2026-11-27", "10:00", null },
        { "Morgen früh", Unknown, "2026-11-22", null, Morning },
        { "Heute Nachmittag", Unknown, "2026-11-21", null, Afternoon },
        { "Dienstag", Unknown, "2026-11-24", null, null },
        { "Samstag", Unknown, "2026-11-21", null, null },
        { "Samstag um 8", Unknown, "2026-11-28", "08:00", null },
        { "Samstag um 10", Unknown, "2026-11-21", "10:00", null },
        { "gestern", Unknown, "2026-11-20", null, null },
        { "Übermorgen um halb zwölf", Unknown, "2026-11-23", "11:30", null },
        { "uebermorgen um zwoelf", Unknown, "2026-11-23", "12:00", null },
        { "In einer halben Stunde", Unknown, "2026-11-21", "09:30", null },
        { "Mittwoch in einer Woche", Unknown, "2026-12-02", null, null },
        { "kommenden Sonntag", Unknown, "2026-11-22", null, null },
        { "diesen Freitag", Unknown, "2026-11-27", null, null },
        { "Montag nächste Woche um 14 Uhr", Unknown, "2026-11-23", "14:00", null },
        { "übernächste Woche", Unknown, "2026-11-30", null, null },
        { "nächste Woche", Unknown, "2026-11-23", null, null },
        { "am 3. Dezember vormittags", Unknown, "2026-12-03", null, Morning },
        { "am 29. Februar", Unknown, "2028-02-29", null, null },
        { "um eins", Unknown, null, "13:00", null },
        { "zwanzig nach vier", Unknown, null, "16:20", null },
        { "viertel zehn", Unknown, null, "09:15", null },
        { "um 12", Unknown, null, "12:00", null },
        { "halb eins", Unknown, null, "12:30", null },
        { "um 2:30 Uhr nachts", Unknown, null, "02:30", null },
        { "abends um halb acht", Unknown, null, "19:30", Evening },
        { "um fünf vor zwölf", Unknown, null, "11:55", null },
        { "zwischen 10 und 12 Uhr", Unknown, null, "10:00", null },
        { "Montagmorgen um 8", Unknown, "2026-11-23", "08:00", Morning },
        { "MORGEN UM ZEHN!!!", Unknown, "2026-11-22", "10:00", null },
        { "am einunddreißigsten", Unknown, "2026-12-31", null, null },
        { "3.12.", Unknown, "2026-12-03", null, null },
        { "Sonntagabend", Unknown, "2026-11-22", null, Evening },
        { "nächste Woche Freitag nachmittags", Unknown, "2026-11-27", null, Afternoon },
        { "in drei Monaten", Unknown, "2027-02-21", null, null },
        { "um 11 Uhr nachts", Unknown, null, "23:00", null },
        { "um 1830", Unknown, null, "18:30", null },
        { "Ich hab doch gerade gesagt, morgen um zehn", Unknown, "2026-11-22", "10:00", null },

        // Callers correct themselves; the part after "lieber", "quatsch", "ich meine" wins
        { "Freitag passt nicht, lieber Montag", No, "2026-11-23", null, null },
        { "Dienstag, quatsch, Mittwoch um 10", Unknown, "2026-11-25", "10:00", null },
        { "Morgen um 9, lieber um 10", Unknown, "2026-11-22", "10:00", null },
        { "Dienstag, ich meine Mittwoch", Unknown, "2026-11-25", null, null },

        // Longer, realistic turns
        { "Hallo, ich bin's, die Frau Schmidt, ich wollte meinen Termin nächste Woche absagen", Cancel, "2026-11-23", null, null },
        { "Ich rufe an, um meinen Termin abzusagen", Cancel, null, null, null },
        { "Ich hab am Dienstag um drei einen Termin und schaff das leider nicht", Cancel, "2026-11-24", "15:00", null },
        { "Ich bräuchte für Dienstag, den 1.12., einen Termin um 10:15", Book, "2026-12-01", "10:15", null },
        { "Wann hätten Sie Zeit?", Book, null, null, null },
        { "Ginge es auch am Sonnabend?", Book, "2026-11-21", null, null },
        { "Mensch, ich hab meinen Termin vergessen, wann war der?", Query, null, null, null },
        { "Können Sie mich mit Herrn Schulz verbinden?", Human, null, null, null },
        { "Na ja, eigentlich nicht", No, null, null, null },
        { "Die Verbindung ist ganz schlecht", Repeat, null, null, null },
        { "Prima, dann bis Dienstag", Goodbye, "2026-11-24", null, null },
    };

    [Theory]
    [MemberData(nameof(Utterances))]
    public void Utterance_is_understood_relative_to_a_saturday_morning_in_berlin(
        string text, string intent, string? date, string? time, PartOfDay? partOfDay)
    {
        var result = GermanNlu.Parse(text, SaturdayMorning);

        Assert.Equal(
            (intent, date, time, partOfDay),
            (result.IntentName, Format(result.Date), Format(result.Time), result.PartOfDay));
    }

    [Fact]
    public void The_table_covers_at_least_110_utterances() =>
        Assert.True(Utterances.Count >= 110, $"only {Utterances.Count} utterances");

    internal static string? Format(LocalDate? date) => date is { } d ? LocalDatePattern.Iso.Format(d) : null;

    internal static string? Format(LocalTime? time) =>
        time is { } t ? LocalTimePattern.CreateWithInvariantCulture("HH:mm").Format(t) : null;
}
