using System.Collections.Frozen;

namespace VoiceAgent.CallFlows.Nlu;

/// <summary>
/// Keyword rules for the caller's intent. The order of the checks in <see cref="Classify"/> is the priority
/// documented on <see cref="GermanNlu"/>: a concrete request beats politeness around it.
/// </summary>
internal static class IntentClassifier
{
    // Human
    private static readonly string[] HumanStems = Lexicon.Stems(
        "mitarbeiter", "rezeption", "weiterleit", "weiterverbind", "durchstell", "telefonist", "sekretariat", "sekretär");

    private static readonly FrozenSet<string> HumanWords = Lexicon.Words(
        "mensch", "menschen", "zentrale", "operator", "verbinden", "verbinde", "roboter", "bot", "computer",
        "maschine", "automat", "sprachcomputer", "echten", "echte", "echter");

    // A person or "persönlich" counts only together with a verb of talking: "Termin beim Chef" is a booking.
    private static readonly FrozenSet<string> PersonWords = Lexicon.Words(
        "chef", "chefin", "inhaber", "inhaberin", "jemand", "jemandem", "jemanden", "person", "kollege", "kollegin",
        "kollegen", "frau", "herr", "herrn", "dame", "leiter", "leiterin", "verantwortlichen", "zuständigen",
        "geschäftsführer", "geschäftsführerin", "persönlich");

    private static readonly FrozenSet<string> TalkVerbs = Lexicon.Words(
        "sprechen", "spreche", "gesprochen", "reden", "rede", "geredet", "unterhalten", "erreichen", "telefonieren", "stellen");

    // Cancel
    private static readonly string[] CancelStems = Lexicon.Stems(
        "absag", "abzusag", "storn", "lösch", "cancel", "annull", "abbestell", "abzubestell");

    private static readonly FrozenSet<string> CancelWords = Lexicon.Words(
        "streichen", "streiche", "rückgängig", "abmelden", "abmelde", "verhindert");

    private static readonly FrozenSet<string> SayForms = Lexicon.Words("sage", "sagen", "sag", "sagt");

    private static readonly FrozenSet<string> ComeVerbs = Lexicon.Words(
        "kommen", "komme", "kommt", "erscheinen", "erscheine", "vorbeikommen", "vorbeischauen", "schaffen",
        "schaffe", "schaff", "schaffs", "wahrnehmen", "hinkommen", "dasein");

    private static readonly FrozenSet<string> NeedVerbs = Lexicon.Words("brauche", "brauch", "brauchen", "benötige");

    private static readonly FrozenSet<string> Negations = Lexicon.Words("nicht", "nich", "net");

    // Reschedule
    private static readonly FrozenSet<string> MoveWords = Lexicon.Words(
        "verschieben", "verschiebe", "verlegen", "verlege", "umbuchen", "umlegen", "umplanen");

    private static readonly FrozenSet<string> ChangeWords = Lexicon.Words("ändern", "änderung", "umändern", "abändern");

    // "anderen Termin", "ein anderer Termin", "neuen Termin", "späteren Termin"
    private static readonly string[] OtherSlotStems = Lexicon.Stems("ander", "neue", "später", "früher");

    private static readonly string[] OtherSlotPhrases = Lexicon.Phrases("anderen Tag", "andere Zeit", "anderen Zeitpunkt", "andere Uhrzeit");

    // Booking
    private static readonly FrozenSet<string> BookWords = Lexicon.Words(
        "buchen", "buche", "buchung", "einbuchen", "reservieren", "reserviere", "reservierung", "vereinbaren",
        "vereinbare", "terminvereinbarung", "terminbuchung", "terminanfrage", "anmelden", "anmelde", "anmeldung",
        "eintragen", "frei", "freien", "freie", "freier", "freies", "verfügbar", "platz");

    private static readonly string[] AvailabilityPhrases = Lexicon.Phrases(
        "haben Sie Zeit", "hätten Sie Zeit", "kann ich vorbeikommen", "kann ich kommen", "könnte ich kommen",
        "könnte ich vorbeikommen", "ginge es", "geht es auch", "wann geht es", "wann passt es");

    private static readonly FrozenSet<string> WantWords = Lexicon.Words(
        "möchte", "möchten", "möcht", "hätte", "hätten", "hätt", "will", "wollte", "wollten", "würde", "würden",
        "brauche", "brauch", "bräuchte", "benötige", "suche", "gern", "gerne", "bekommen", "bekomme", "kriegen",
        "kriege", "krieg", "machen", "ausmachen", "haben", "geht", "möglich");

    private static readonly string[] IndefiniteAppointment = Lexicon.Phrases(
        "einen Termin", "'nen Termin", "nen Termin", "ein Termin", "einem Termin", "kann ich", "könnte ich");

    // Long stems match inside compounds ("Zahnreinigung", "Damenhaarschnitt"); short ones must be the whole word
    // ("Tisch", but not "praktisch").
    private static readonly string[] ServiceStems = Lexicon.Stems(
        "haarschnitt", "schneiden", "strähnchen", "maniküre", "pediküre", "massage", "kosmetik", "behandlung",
        "untersuchung", "kontrolle", "vorsorge", "beratung", "reinigung", "impfung", "inspektion", "wechsel",
        "probefahrt", "therapie", "gymnastik", "pflege", "sitzung", "reparatur", "wartung", "blutabnahme");

    private static readonly FrozenSet<string> ServiceWords = Lexicon.Words(
        "tisch", "bart", "haare", "färben", "föhnen", "rasur", "rasieren", "nägel", "tattoo", "piercing", "check",
        "waxing", "schnitt");

    // Query
    private static readonly FrozenSet<string> Possessives = Lexicon.Words("mein", "meine", "meinen", "meinem", "meiner", "meines");

    private static readonly string[] HaveIPhrases = Lexicon.Phrases("habe ich", "hab ich", "hätte ich", "hatte ich", "steht der", "steht mein");

    private static readonly FrozenSet<string> QueryWords = Lexicon.Words(
        "nachfragen", "nachschauen", "nachsehen", "nachgucken", "informieren", "erkundigen", "auskunft",
        "gebucht", "reserviert", "vereinbart", "ausgemacht", "eingetragen", "vorgemerkt", "notiert", "bestätigt");

    private static readonly FrozenSet<string> When = Lexicon.Words("wann", "wieviel", "welcher", "welchem");

    // Repeat
    private static readonly string[] RepeatPhrases = Lexicon.Phrases(
        "wie bitte", "bitte was", "was bitte", "noch mal", "noch einmal", "nicht verstanden", "nicht verstehen",
        "verstehe nicht", "versteh nicht", "verstehe Sie nicht", "verstehe ich nicht", "nicht mitbekommen",
        "nicht gehört", "was haben Sie gesagt", "was sagten Sie", "was sagen Sie", "wie war das", "sagen Sie das",
        "höre Sie nicht", "hör Sie nicht", "höre nichts", "höre Sie schlecht");

    // "Die Verbindung ist ganz schlecht", "schlecht zu verstehen", "schlechten Empfang"
    private static readonly FrozenSet<string> Bad = Lexicon.Words("schlecht", "schlechte", "schlechten");

    private static readonly FrozenSet<string> LineWords = Lexicon.Words(
        "verbindung", "leitung", "empfang", "verstehen", "verständlich", "hören", "höre");

    private static readonly FrozenSet<string> RepeatWords = Lexicon.Words(
        "nochmal", "nochmals", "wiederholen", "wiederhole", "wiederholung", "hä", "häh", "pardon", "lauter", "langsamer");

    // Goodbye
    private static readonly FrozenSet<string> GoodbyeWords = Lexicon.Words(
        "tschüss", "tschüs", "tschüß", "tschuss", "tschau", "ciao", "wiederhören", "wiedersehen", "wiederschauen",
        "adieu", "ade", "bye", "byebye", "auflegen", "gleichfalls", "ebenfalls");

    private static readonly string[] GoodbyePhrases = Lexicon.Phrases(
        "bis dann", "dann bis", "danke Ihnen auch", "bis bald", "bis später", "bis morgen", "bis zum nächsten Mal", "das war's", "das wär's",
        "das wärs", "das war es", "das wäre es", "das wäre alles", "das wär alles", "das ist alles", "das war alles",
        "sonst nichts", "nichts mehr", "mehr nicht", "lege auf", "schönen Tag", "schönen Abend", "schönes Wochenende",
        "schönen Sonntag", "schönen Feierabend", "gute Nacht", "machen Sie's gut", "machen Sie es gut", "mach's gut",
        "alles Gute");

    public static Intent Classify(Utterance u, bool hasDateOrTime)
    {
        if (u.Count == 0)
        {
            return Intent.Unknown;
        }

        var appointment = MentionsAppointment(u);
        var service = MentionsService(u);

        if (WantsHuman(u))
        {
            return Intent.Human;
        }

        if (u.HasWordStartingWith(CancelStems) || u.HasWord(CancelWords) || SaysOff(u))
        {
            return Intent.CancelAppointment;
        }

        if (u.HasWord(MoveWords) || ((appointment || hasDateOrTime) && u.HasWord(ChangeWords)) || AsksForOtherSlot(u, appointment))
        {
            return Intent.BookAppointment;
        }

        if (u.Near(Negations, ComeVerbs, 4) || (u.Near(Negations, NeedVerbs, 4) && u.Has(" nicht mehr ")))
        {
            return Intent.CancelAppointment;
        }

        if (u.HasWord(BookWords) || u.HasAny(AvailabilityPhrases))
        {
            return Intent.BookAppointment;
        }

        if (AsksForOwnAppointment(u, appointment))
        {
            return Intent.QueryAppointments;
        }

        if ((appointment || service) && (u.HasWord(WantWords) || u.HasAny(IndefiniteAppointment) || hasDateOrTime))
        {
            return Intent.BookAppointment;
        }

        if (u.HasWord(TalkVerbs) && u.Has(" mit "))
        {
            return Intent.Human;
        }

        if (u.HasAny(RepeatPhrases) || u.HasWord(RepeatWords) || IsLoneQuestionWord(u)
            || (u.HasWord(Bad) && u.HasWord(LineWords)))
        {
            return Intent.Repeat;
        }

        if (u.HasWord(GoodbyeWords) || u.HasAny(GoodbyePhrases))
        {
            return Intent.Goodbye;
        }

        if (YesNoDetector.TryDetect(u, out var yes))
        {
            return yes ? Intent.Yes : Intent.No;
        }

        if (u.Count == 1 && u[0] == "bitte")
        {
            return Intent.Yes;
        }

        return appointment || (service && u.Count <= 3) ? Intent.BookAppointment : Intent.Unknown;
    }

    private static bool WantsHuman(Utterance u) =>
        u.HasWordStartingWith(HumanStems)
        || HasHumanWord(u)
        || (u.HasWord(PersonWords) && u.HasWord(TalkVerbs))
        || (u.Has(" stellen ") && u.Has(" durch "));

    // "Mensch, ich hab meinen Termin vergessen": an interjection standing alone in its clause is not a request.
    private static bool HasHumanWord(Utterance u)
    {
        for (var i = 0; i < u.Count; i++)
        {
            var token = u.Tokens[i];
            var alone = (i == 0 || u.Tokens[i - 1].Clause != token.Clause)
                && (i + 1 == u.Count || u.Tokens[i + 1].Clause != token.Clause);
            if (HumanWords.Contains(token.Text) && !(alone && token.Text == "mensch"))
            {
                return true;
            }
        }

        return false;
    }

    // Separable "absagen": "ich sage den Termin ab". "Sagen Sie mir, ob ab 10 Uhr frei ist" is not a cancellation,
    // so the "ab" must not be followed by a number or clock time.
    private static bool SaysOff(Utterance u)
    {
        var say = u.IndexOf(SayForms);
        if (say < 0)
        {
            return false;
        }

        for (var i = say + 1; i < u.Count; i++)
        {
            if (u[i] == "ab" && u.Tokens[i].Clause == u.Tokens[say].Clause)
            {
                var next = i + 1 < u.Count ? u.Tokens[i + 1] : null;
                if (next is null || next.Clause != u.Tokens[i].Clause
                    || (next.Kind == TokenKind.Word && !GermanNumbers.TryCardinal(next.Text, out _) && next.Text != "wann"))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool AsksForOwnAppointment(Utterance u, bool appointment)
    {
        if (u.HasWord(QueryWords) || (u.HasWord(When) && u.Has(" dran ")))
        {
            return true;
        }

        if (!appointment)
        {
            return false;
        }

        if (u.HasAny(HaveIPhrases))
        {
            return true;
        }

        for (var i = 0; i < u.Count; i++)
        {
            // "mein Termin", "meinen nächsten Termin"
            if (IsAppointmentWord(u[i]) && (Possessives.Contains(u[i - 1]) || Possessives.Contains(u[i - 2])))
            {
                return true;
            }
        }

        return false;
    }

    private static bool AsksForOtherSlot(Utterance u, bool appointment)
    {
        if (!appointment)
        {
            return false;
        }

        for (var i = 1; i < u.Count; i++)
        {
            if (IsAppointmentWord(u[i]) && OtherSlotStems.Any(stem => u[i - 1].StartsWith(stem, StringComparison.Ordinal)))
            {
                return true;
            }
        }

        return u.HasAny(OtherSlotPhrases);
    }

    private static bool IsLoneQuestionWord(Utterance u) =>
        u.Count == 1 && (u[0] is "was" || (u[0] is "bitte" && u.IsQuestion));

    private static bool MentionsAppointment(Utterance u) => u.Tokens.Any(t => IsAppointmentWord(t.Text));

    private static bool IsAppointmentWord(string word) => word.StartsWith("termin", StringComparison.Ordinal);

    private static bool MentionsService(Utterance u) =>
        u.HasWord(ServiceWords) || u.Tokens.Any(t => ServiceStems.Any(stem => t.Text.Contains(stem, StringComparison.Ordinal)));
}
