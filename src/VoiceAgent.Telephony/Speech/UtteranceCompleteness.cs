using System.Collections.Frozen;

namespace VoiceAgent.Telephony.Speech;

/// <summary>
/// Whether what a caller said so far sounds finished (German): decides at a short pause whether the turn ends there
/// (≈ 300 ms) or the call waits for the long window (≤ 1 s). Unfinished: the last word is one a sentence does not end
/// with ("am Dienstag um", "ich hätte gern einen", "äh"), or the text breaks off with a comma, dash or ellipsis. Finished:
/// a sentence end (. ! ?), or a short answer without punctuation ("ja", "nein danke", "zehn Uhr"). Recognizers usually
/// punctuate, so the last word decides most cases.
/// </summary>
public static class UtteranceCompleteness
{
    // Only words a German sentence practically never ends with; words that also close sentences ("so", "gerne", "mir",
    // "bitte", "ich") are left out: waiting the long window now and then costs less than cutting a caller off.
    private static readonly FrozenSet<string> OpenEnds = new[]
    {
        // articles and possessives that need a noun
        "der", "die", "das", "den", "dem", "des", "ein", "eine", "einen", "einem", "einer", "eines", "kein", "keine", "keinen",
        "mein", "meine", "meinen", "meinem", "unser", "unsere", "unseren", "ihren", "ihrem", "nächste", "nächsten", "nächstes",
        "kommende", "kommenden",
        // prepositions
        "am", "um", "an", "auf", "für", "mit", "im", "in", "zu", "zum", "zur", "von", "vom", "bis", "ab", "nach", "gegen",
        "über", "unter", "vor", "bei", "beim", "seit", "ohne", "durch", "zwischen", "ins", "aufs", "ans", "wegen",
        // conjunctions
        "und", "oder", "aber", "sondern", "weil", "dass", "wenn", "ob", "als", "denn", "sowie",
        // hesitations
        "äh", "ähm", "öh", "hm", "hmm", "also", "quasi", "sozusagen",
        // words that announce more
        "halb", "viertel", "dreiviertel", "möchte", "würde", "hätte", "wollte", "brauche",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    public static bool IsComplete(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var trimmed = text.TrimEnd();
        if (trimmed.EndsWith("...", StringComparison.Ordinal) || trimmed[^1] is '…' or ',' or '-' or '–' or '—' or ';' or ':')
        {
            return false;
        }

        var words = trimmed.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var last = words[^1].Trim('.', '!', '?', '"', '\'', '„', '“', ')', '(');
        if (OpenEnds.Contains(last))
        {
            // "Bitte." alone, "Gerne!" alone: a whole answer.
            return words.Length == 1 && trimmed[^1] is '.' or '!' or '?';
        }

        return true;
    }
}
