namespace VoiceAgent.CallFlows.Nlu;

internal enum TokenKind
{
    Word,
    Number,
    Clock,
    Date,
}

/// <summary>
/// One token of a normalized utterance. <see cref="Clause"/> counts punctuation breaks, so rules such as
/// "passt … nicht" can stay inside one clause ("Passt, nicht?" is a tag question, not a refusal).
/// </summary>
internal sealed record Token(TokenKind Kind, string Text, int Clause)
{
    /// <summary>Number: the value, or -1 when the digit run is too long to be a quantity (phone numbers).</summary>
    public int Value { get; init; }

    /// <summary>Number followed by a period, i.e. an ordinal as in "am 3. Dezember".</summary>
    public bool Dotted { get; init; }

    /// <summary>"07:30", "08 Uhr": a caller (or the speech recognizer) chose a 24-hour reading, so no afternoon guess.</summary>
    public bool LeadingZero { get; init; }

    public int Hour { get; init; }

    public int Minute { get; init; }

    public int Day { get; init; }

    public int Month { get; init; }

    public int? Year { get; init; }
}
