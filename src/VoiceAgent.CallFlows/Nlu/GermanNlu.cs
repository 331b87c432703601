using System.Globalization;
using System.Text;
using NodaTime;

namespace VoiceAgent.CallFlows.Nlu;

/// <summary>
/// Rule-based, offline understanding of what German-speaking callers say on the phone: one intent plus the date,
/// time and part of day they mention. Text is lower-cased and folded ("ü" → "ue", "ß" → "ss"), hesitations
/// ("äh", "ähm", "hm") and "also" are dropped, and "Freitagnachmittag" is read as "Freitag Nachmittag".
/// </summary>
/// <remarks>
/// <para><b>Intent priority</b> (first match wins; a concrete request beats the politeness around it):</para>
/// <list type="number">
/// <item>human — "Mitarbeiter", "echten Menschen", "Rezeption", "weiterleiten", "verbinden", "durchstellen", or a
/// person ("Chef", "jemandem", "Frau Müller") together with "sprechen"/"reden". "Termin beim Chef" is a booking.</item>
/// <item>cancel_appointment — absagen, stornieren, löschen, canceln, "sage … ab".</item>
/// <item>book_appointment for rescheduling — "verschieben", "umbuchen", "Termin ändern", "anderen Termin".
/// A reschedule needs a new slot, so it starts the booking flow (which knows the caller's existing appointment);
/// a cancel word in the same turn ("absagen und neu buchen") still makes it a cancellation.</item>
/// <item>cancel_appointment — "ich kann nicht kommen", "schaffe es nicht", "brauche den Termin nicht mehr"
/// (after the reschedule check, so "kann nicht kommen, geht ein anderer Termin?" is a booking).</item>
/// <item>book_appointment — buchen, reservieren, vereinbaren, anmelden, "frei", "Platz", "hätten Sie Zeit",
/// "kann ich vorbeikommen".</item>
/// <item>query_appointments — "mein Termin", "habe ich einen Termin", "wann bin ich dran", nachfragen, informieren.</item>
/// <item>book_appointment — "Termin" or a service ("Haarschnitt", "Zahnreinigung", "Tisch") with a wish
/// ("möchte", "hätte gern", "einen Termin") or with a date/time ("einen Haarschnitt am Freitag").</item>
/// <item>human — "mit … sprechen" without a booking request.</item>
/// <item>repeat — "wie bitte", "nochmal", "wiederholen", "nicht verstanden", "die Verbindung ist schlecht",
/// a lone "Was?" or "Bitte?" (a lone "Bitte." is a yes).</item>
/// <item>goodbye — "tschüss", "auf Wiederhören", "das war's", "schönen Tag noch": goodbye wins over yes/no
/// ("Nein danke, tschüss" ends the call) but never over a request ("Termin absagen, danke, tschüss" is a cancel).</item>
/// <item>yes / no — see <see cref="TryParseYesNo"/>.</item>
/// <item>book_appointment when "Termin" is mentioned at all or a service is named on its own ("Haarschnitt, bitte");
/// otherwise unknown.</item>
/// </list>
/// <para>A bare "Danke" is unknown (it can mean "yes, thanks" or "no, thanks"), and so is a bare date or time
/// ("Freitag um 10"): the intent stays unknown while Date and Time are filled for the slot the flow is asking about.</para>
///
/// <para><b>Dates</b> (all relative to <c>now</c> in the tenant's zone):</para>
/// <list type="bullet">
/// <item>"heute", "morgen", "übermorgen", "gestern" (a past date is returned as such). "Guten Morgen",
/// "heute Morgen" and "Montag Morgen" are not tomorrow; "morgen früh" is tomorrow morning.</item>
/// <item>"Dienstag", "am Dienstag", "diesen Dienstag": the nearest Tuesday from today on. If today is Tuesday it is
/// today, unless the stated time has already passed, then next week. A booking agent should rather offer today's
/// remaining slots than skip a week; the flow reads the date back anyway.</item>
/// <item>"nächsten"/"kommenden Dienstag": the first Tuesday strictly after today (even if it is in this calendar
/// week); "übernächsten Dienstag" a week after that. Callers who mean next calendar week say
/// "Dienstag nächste Woche", which is the Tuesday of the next Monday-to-Sunday week.</item>
/// <item>"nächste Woche" alone: the Monday of next week (the earliest day the caller wants);
/// "Anfang/Mitte/Ende nächster Woche": Monday/Wednesday/Friday; "diese Woche": today; "am Wochenende": the coming
/// Saturday; "nächsten Monat": the 1st of next month.</item>
/// <item>"am 3. Dezember", "3.12.", "03.12.2026", "dritten Dezember", "am dritten zwölften": a day and month
/// without a year is the next such date from today on, so "am 3. Januar" said in November is next year.</item>
/// <item>"am zwanzigsten", "am 20.": that day in this month if still ahead, else the next month that has it.</item>
/// <item>"in drei Tagen", "in zwei Wochen", "in einem Monat"; "in acht Tagen" is the idiom for one week (7 days).
/// An offset counts from a named day ("Freitag in zwei Wochen", "heute in einer Woche").
/// "in einer halben Stunde", "in 2 Stunden" give date and time from now.</item>
/// </list>
///
/// <para><b>Times</b>: "um 10", "10 Uhr", "14:30", "14.30 Uhr", "um 15 Uhr 30", "halb drei" (2:30),
/// "Viertel nach neun" (9:15), "Viertel vor zehn" and "dreiviertel zehn" (9:45), regional "viertel zehn" (9:15),
/// "zehn nach drei", "fünf vor halb vier" (3:25), "um 1830", "mittags" (12:00 when no clock time is given),
/// "Mitternacht". Hours 1–7 with no part of day mean the afternoon (business hours: "um drei", "halb drei" → 14:30,
/// "um 7" → 19:00); "nachmittags"/"abends" add 12 hours to 1–11, "morgens"/"früh"/"vormittags" keep them,
/// "nachts" keeps 1–7, moves 8–11 to the evening and makes 12 midnight; "mittags" moves 1–4 to the afternoon.
/// A leading zero ("07:30", "02:30") is read as a 24-hour clock. The first time mentioned wins
/// ("um 9 oder um 10" is 9:00).</para>
/// <para><b>Corrections</b>: after "lieber", "sondern", "stattdessen", "eher", "quatsch" or "ich meine", the date,
/// time or part of day mentioned there replaces the earlier one ("Freitag passt nicht, lieber Montag" is Monday).</para>
/// <para><b>Part of day</b>: "vormittags", "morgens", "früh" → morning; "nachmittags" → afternoon; "abends" →
/// evening. It is reported whenever it was said, also when it only served to read a clock time.</para>
/// </remarks>
public static class GermanNlu
{
    /// <param name="now">The current instant in the tenant's zone; relative expressions resolve against its date and time of day.</param>
    public static NluResult Parse(string text, ZonedDateTime now)
    {
        var utterance = GermanText.Tokenize(text);
        var temporal = TemporalExtractor.Extract(utterance.Tokens, now);
        var intent = IntentClassifier.Classify(utterance, temporal.HasAny);
        return new NluResult(intent, temporal.Date, temporal.Time, temporal.PartOfDay, temporal.Digits);
    }

    /// <summary>
    /// Reads a confirmation ("ja", "jawohl", "genau", "gerne", "passt", "richtig", "okay", "einverstanden") or a refusal
    /// ("nein", "nee", "lieber nicht", "passt nicht", "falsch"). An explicit ja/nein beats softer words, the last cue
    /// wins when callers correct themselves, and after "aber" only what follows counts.
    /// </summary>
    public static bool TryParseYesNo(string text, out bool yes) => YesNoDetector.TryDetect(GermanText.Tokenize(text), out yes);

    /// <summary>
    /// Digits spoken or typed in order: "eins zwei drei" and "1 2 3" give "123", "zwölf" gives "12", "null sieben eins" gives "071".
    /// "ein"/"eine" are articles here, only "eins" is a digit. Null when there is no number at all.
    /// </summary>
    public static string? ParseDigits(string text)
    {
        var sb = new StringBuilder();
        foreach (var token in GermanText.Tokenize(text).Tokens)
        {
            if (token.Kind == TokenKind.Word)
            {
                if (GermanNumbers.TryCardinal(token.Text, out var n))
                {
                    sb.Append(n.ToString(CultureInfo.InvariantCulture));
                }
            }
            else
            {
                foreach (var c in token.Text)
                {
                    if (char.IsAsciiDigit(c))
                    {
                        sb.Append(c);
                    }
                }
            }
        }

        return sb.Length > 0 ? sb.ToString() : null;
    }

    /// <summary>
    /// The instant for a parsed date and time in the tenant's zone, or null when either is missing.
    /// Uses NodaTime's lenient resolver (<see cref="DateTimeZone.AtLeniently"/>): a time in the spring-forward gap
    /// moves forward by the length of the gap (02:30 on the last Sunday of March does not exist in Berlin and becomes
    /// 03:30 +02:00), and an ambiguous autumn time takes the earlier offset (02:30 on the last Sunday of October is
    /// the first 02:30, still +02:00). Both keep a booking on the day the caller asked for and never fail.
    /// </summary>
    public static ZonedDateTime? ToZoned(LocalDate? date, LocalTime? time, DateTimeZone zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        return date is { } d && time is { } t ? zone.AtLeniently(d.At(t)) : null;
    }
}
