using System.Collections.Frozen;

namespace VoiceAgent.CallFlows.Nlu;

/// <summary>
/// Short confirmations and refusals. Rules, in order:
/// <list type="number">
/// <item>After "aber", only what follows counts ("Ja, aber das passt mir nicht" is a no) unless it holds no cue.</item>
/// <item>An explicit "ja"/"nein" (jawohl, nee, nö …) beats softer cues ("Nein danke, das passt so" is a no).</item>
/// <item>Among cues of the same strength the last one wins, because callers correct themselves ("Ja … äh, nein").</item>
/// <item>A soft yes with "nicht"/"kein" close by in the same clause flips ("passt mir leider nicht", "nicht so gut"),
/// but a comma ends the clause ("Passt, nicht?" stays a yes).</item>
/// </list>
/// </summary>
internal static class YesNoDetector
{
    private static readonly string[][] NoPhrases = Split(
        "auf keinen Fall", "lieber nicht", "eher nicht", "besser nicht", "leider nicht", "nicht wirklich",
        "nicht ganz", "doch nicht", "dann nicht", "keine Zeit", "kein Interesse", "kein Bedarf", "nicht nötig",
        "nicht so", "geht nicht", "geht leider nicht", "ich glaube nicht", "glaube nicht", "eigentlich nicht", "gar nicht", "nicht gut", "nicht richtig");

    private static readonly string[][] YesPhrases = Split(
        "auf jeden Fall", "alles klar", "in Ordnung", "geht klar", "geht schon", "das geht", "passt schon",
        "warum nicht", "kein Problem", "nicht schlecht", "machen Sie das", "mach das", "machen wir so",
        "klingt gut", "hört sich gut an", "sehr gerne", "gerne doch", "na klar", "na gut", "na sicher",
        "ist recht", "mir recht", "so machen wir's", "von mir aus", "ja bitte");

    private static readonly FrozenSet<string> ExplicitYes = Lexicon.Words(
        "ja", "jawohl", "jaja", "jap", "jep", "jup", "jo", "joa", "yes", "yep");

    private static readonly FrozenSet<string> ExplicitNo = Lexicon.Words("nein", "nee", "neee", "nö", "nope", "ne");

    private static readonly FrozenSet<string> SoftYes = Lexicon.Words(
        "genau", "passt", "richtig", "korrekt", "stimmt", "okay", "ok", "okey", "oke", "einverstanden",
        "natürlich", "selbstverständlich", "freilich", "gut", "super", "prima", "perfekt", "wunderbar", "bestens",
        "mhm", "gebongt", "verstanden");

    // Words that answer only when they open a clause: "Gerne, morgen um 9" and "Doch!" are answers, while
    // "ich hätte gern …", "ich hab doch gesagt …" and "ich bin mir nicht sicher" are not.
    private static readonly FrozenSet<string> OpeningYes = Lexicon.Words(
        "gerne", "gern", "doch", "klar", "sicher", "logo", "toll", "gemacht");

    private static readonly FrozenSet<string> SoftNo = Lexicon.Words("falsch", "niemals", "keinesfalls", "negativ");

    private static readonly FrozenSet<string> Negations = Lexicon.Words("nicht", "nich", "net", "kein", "keine", "keinen");

    // "Ne" is also "eine" ("ne Frage") and a tag ("morgen, ne?"); it is a no only on its own at the start.
    private static readonly FrozenSet<string> AfterNe = Lexicon.Words("danke", "lieber", "nee", "ne", "nein", "leider");

    public static bool TryDetect(Utterance u, out bool yes)
    {
        var aber = -1;
        for (var i = 0; i < u.Count; i++)
        {
            if (u[i] == "aber")
            {
                aber = i;
            }
        }

        var decision = aber >= 0 ? Scan(u, aber + 1, u.Count) ?? Scan(u, 0, aber) : Scan(u, 0, u.Count);
        yes = decision ?? false;
        return decision is not null;
    }

    private static bool? Scan(Utterance u, int from, int to)
    {
        bool? strong = null;
        bool? soft = null;
        for (var i = from; i < to;)
        {
            if (Match(u, NoPhrases, i, to) is int noLength)
            {
                soft = false;
                i += noLength;
                continue;
            }

            if (Match(u, YesPhrases, i, to) is int yesLength)
            {
                if (u[i] == "ja")
                {
                    strong = true;
                }

                soft = !Negated(u, i, yesLength);
                i += yesLength;
                continue;
            }

            var word = u[i];
            if (ExplicitYes.Contains(word))
            {
                strong = true;
            }
            else if (ExplicitNo.Contains(word) && (word != "ne" || IsStandaloneNe(u, i)))
            {
                strong = false;
            }
            else if (SoftNo.Contains(word))
            {
                soft = false;
            }
            else if (SoftYes.Contains(word) || (OpeningYes.Contains(word) && OpensClause(u, i)))
            {
                soft = !Negated(u, i, 1);
            }

            i++;
        }

        return strong ?? soft;
    }

    private static int? Match(Utterance u, string[][] phrases, int i, int to)
    {
        foreach (var phrase in phrases)
        {
            if (i + phrase.Length > to)
            {
                continue;
            }

            var matches = true;
            for (var k = 0; k < phrase.Length && matches; k++)
            {
                matches = u[i + k] == phrase[k];
            }

            if (matches)
            {
                return phrase.Length;
            }
        }

        return null;
    }

    // A negation up to two words before or three after the cue, in the same clause: "nicht so gut", "passt mir leider nicht".
    private static bool Negated(Utterance u, int start, int length)
    {
        var clause = u.Tokens[start].Clause;
        for (var j = Math.Max(0, start - 2); j < Math.Min(u.Count, start + length + 3); j++)
        {
            if ((j < start || j >= start + length) && u.Tokens[j].Clause == clause && Negations.Contains(u[j]))
            {
                return true;
            }
        }

        return false;
    }

    private static bool OpensClause(Utterance u, int i) => i == 0 || u.Tokens[i - 1].Clause != u.Tokens[i].Clause;

    private static bool IsStandaloneNe(Utterance u, int i) =>
        i == 0 && (u.Count == 1 || u.Tokens[1].Clause != u.Tokens[0].Clause || AfterNe.Contains(u[1]));

    private static string[][] Split(params string[] phrases) =>
        phrases.Select(p => GermanText.Tokenize(p).Tokens.Select(t => t.Text).ToArray()).ToArray();
}
