using System.Collections.Frozen;

namespace VoiceAgent.CallFlows.Nlu;

/// <summary>German number words 0–59 ("zwölf", "dreiundzwanzig") and day ordinals 1–31 ("dritten", "einunddreißigsten").</summary>
internal static class GermanNumbers
{
    private static readonly string[] Small =
    [
        "null", "eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun", "zehn",
        "elf", "zwölf", "dreizehn", "vierzehn", "fünfzehn", "sechzehn", "siebzehn", "achtzehn", "neunzehn",
    ];

    private static readonly string[] Tens = ["zwanzig", "dreißig", "vierzig", "fünfzig"];

    private static readonly string[] Names = BuildNames();

    private static readonly FrozenDictionary<string, int> Cardinals = BuildCardinals();

    private static readonly FrozenDictionary<string, int> Ordinals = BuildOrdinals();

    // "ein", "eine", "einen" are usually articles ("einen Termin"); rules accept them as 1 only where the
    // context makes a number certain ("ein Uhr", "in einer Woche").
    private static readonly FrozenSet<string> OneArticles = Lexicon.Words("ein", "eine", "einen", "einem", "einer");

    public static bool TryCardinal(string word, out int value) => Cardinals.TryGetValue(word, out value);

    public static bool IsOneArticle(string word) => OneArticles.Contains(word);

    public static bool TryOrdinal(string word, out int value) => Ordinals.TryGetValue(word, out value);

    private static string[] BuildNames()
    {
        var names = new string[60];
        for (var n = 0; n < 60; n++)
        {
            names[n] = n < 20
                ? Small[n]
                : n % 10 == 0
                    ? Tens[n / 10 - 2]
                    : (n % 10 == 1 ? "ein" : Small[n % 10]) + "und" + Tens[n / 10 - 2];
        }

        return names;
    }

    private static FrozenDictionary<string, int> BuildCardinals()
    {
        var map = new Dictionary<string, int>(StringComparer.Ordinal) { ["zwo"] = 2 };
        for (var n = 0; n < Names.Length; n++)
        {
            map[GermanText.Normalize(Names[n])] = n;
        }

        return map.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static FrozenDictionary<string, int> BuildOrdinals()
    {
        var map = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var n = 1; n <= 31; n++)
        {
            string[] stems = n switch
            {
                1 => ["erst"],
                3 => ["dritt"],
                7 => ["siebt", "siebent"],
                8 => ["acht"],
                < 20 => [Names[n] + "t"],
                _ => [Names[n] + "st"],
            };
            foreach (var stem in stems)
            {
                foreach (var ending in (string[])["e", "en", "er", "es", "em"])
                {
                    map[GermanText.Normalize(stem + ending)] = n;
                }
            }
        }

        return map.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
