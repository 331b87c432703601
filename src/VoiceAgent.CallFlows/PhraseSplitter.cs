using System.Collections.Frozen;
using System.Text;

namespace VoiceAgent.CallFlows;

/// <summary>
/// Cuts a streamed model answer into phrases speech synthesis can start on while the rest is still being written: at a
/// sentence end (. ! ? …) followed by a space, or — once a phrase is long (<see cref="LongPhrase"/> characters) — at a
/// clause break (, ; : –). German-aware: a period after a number ("am 3. Dezember") or after a common abbreviation
/// ("z. B.", "Dr.", "ca.") does not end a sentence. Text is handed out as written, only trimmed.
/// </summary>
public sealed class PhraseSplitter
{
    /// <summary>From this length on a clause break ends the phrase too, so a long first sentence does not hold the
    /// speech back.</summary>
    public const int LongPhrase = 60;

    private static readonly FrozenSet<string> Abbreviations = new[]
    {
        // Words that also end sentences ("so", "Frau", "Max") are left out: a wrong cut costs less than a missed one.
        "z", "b", "d", "h", "u", "a", "dr", "prof", "nr", "bzw", "ca", "usw", "etc", "hr", "fr", "str", "tel", "evtl", "inkl",
        "ggf", "vgl", "st", "min", "std", "mo", "di", "mi", "jan", "feb", "mär", "apr", "jun", "jul", "aug", "sep", "sept", "okt",
        "nov", "dez", "abs", "bzgl", "zzgl", "mind", "mio", "mrd", "s", "o",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private readonly StringBuilder pending = new();

    /// <summary>Adds streamed text; returns the phrases it completed (often none).</summary>
    public IReadOnlyList<string> Push(string delta)
    {
        pending.Append(delta);
        List<string>? phrases = null;
        var start = 0;
        // A boundary needs the character after it (a space) to be known, so the last character is never a cut point.
        for (var i = 0; i < pending.Length - 1; i++)
        {
            if (!char.IsWhiteSpace(pending[i + 1]) || !IsBoundary(i, start))
            {
                continue;
            }

            var phrase = pending.ToString(start, i + 1 - start).Trim();
            if (phrase.Length > 0)
            {
                (phrases ??= []).Add(phrase);
            }

            start = i + 1;
        }

        pending.Remove(0, start);
        return phrases ?? (IReadOnlyList<string>)[];
    }

    /// <summary>The rest once the stream has ended (null when nothing is left).</summary>
    public string? Flush()
    {
        var rest = pending.ToString().Trim();
        pending.Clear();
        return rest.Length == 0 ? null : rest;
    }

    private bool IsBoundary(int i, int start)
    {
        var c = pending[i];
        var length = i + 1 - start;
        return c switch
        {
            '!' or '?' or '…' => true,
            '.' => !AfterNumberOrAbbreviation(i, start),
            ',' or ';' or ':' or '–' or '—' => length >= LongPhrase,
            _ => false,
        };
    }

    private bool AfterNumberOrAbbreviation(int period, int start)
    {
        var wordStart = period;
        while (wordStart > start && char.IsLetterOrDigit(pending[wordStart - 1]))
        {
            wordStart--;
        }

        var word = pending.ToString(wordStart, period - wordStart);
        if (word.Length == 0)
        {
            // The last period of "..." (the earlier ones are followed by a period, not a space): a pause.
            return false;
        }

        return char.IsDigit(word[0]) || Abbreviations.Contains(word);
    }
}
