namespace VoiceAgent.CallFlows.Nlu;

/// <summary>A tokenized caller turn with the lookups the intent and yes/no rules need.</summary>
internal sealed class Utterance
{
    private readonly string _padded;

    public Utterance(IReadOnlyList<Token> tokens, bool isQuestion)
    {
        Tokens = tokens;
        IsQuestion = isQuestion;
        _padded = " " + string.Join(' ', tokens.Select(t => t.Text)) + " ";
    }

    public IReadOnlyList<Token> Tokens { get; }

    public bool IsQuestion { get; }

    public int Count => Tokens.Count;

    public string this[int index] => index >= 0 && index < Tokens.Count ? Tokens[index].Text : "";

    /// <summary>True when the words of <paramref name="phrase"/> (built by <see cref="Lexicon.Phrases"/>) occur in a row.</summary>
    public bool Has(string phrase) => _padded.Contains(phrase, StringComparison.Ordinal);

    public bool HasAny(IEnumerable<string> phrases) => phrases.Any(Has);

    public bool HasWord(IReadOnlySet<string> words) => IndexOf(words) >= 0;

    public bool HasWordStartingWith(IEnumerable<string> stems) =>
        Tokens.Any(t => stems.Any(stem => t.Text.StartsWith(stem, StringComparison.Ordinal)));

    public int IndexOf(IReadOnlySet<string> words, int start = 0)
    {
        for (var i = Math.Max(0, start); i < Tokens.Count; i++)
        {
            if (words.Contains(Tokens[i].Text))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>True when a word of <paramref name="a"/> and one of <paramref name="b"/> stand at most
    /// <paramref name="window"/> tokens apart inside the same clause, in either order.</summary>
    public bool Near(IReadOnlySet<string> a, IReadOnlySet<string> b, int window)
    {
        for (var i = 0; i < Tokens.Count; i++)
        {
            if (!a.Contains(Tokens[i].Text))
            {
                continue;
            }

            for (var j = Math.Max(0, i - window); j <= Math.Min(Tokens.Count - 1, i + window); j++)
            {
                if (j != i && Tokens[j].Clause == Tokens[i].Clause && b.Contains(Tokens[j].Text))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
