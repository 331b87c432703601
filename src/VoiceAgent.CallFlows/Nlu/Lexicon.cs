using System.Collections.Frozen;

namespace VoiceAgent.CallFlows.Nlu;

/// <summary>
/// Builds word lists from entries written the way people spell them ("tschüß", "das war's"):
/// every entry goes through the same normalization as caller text.
/// </summary>
internal static class Lexicon
{
    public static FrozenSet<string> Words(params string[] words) =>
        words.Select(w => GermanText.Normalize(w).Replace("'", "", StringComparison.Ordinal)).ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Word beginnings or parts such as "absag" (absagen, Absage) and "reinigung" (Zahnreinigung).</summary>
    public static string[] Stems(params string[] stems) => stems.Select(GermanText.Normalize).ToArray();

    /// <summary>Phrases padded with spaces for <see cref="Utterance.Has"/>.</summary>
    public static string[] Phrases(params string[] phrases) =>
        phrases.Select(p => " " + string.Join(' ', GermanText.Tokenize(p).Tokens.Select(t => t.Text)) + " ").ToArray();
}
