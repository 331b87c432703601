using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace VoiceAgent.CallFlows.Nlu;

/// <summary>
/// Normalizes caller text and splits it into tokens. Umlauts are folded to their two-letter spelling
/// ("ü" → "ue", "ß" → "ss") rather than the other way round, because "ue" cannot be turned back into "ü"
/// safely ("neue", "Steuer"). Lexicon entries go through the same folding, so they are written as people spell them.
/// </summary>
internal static partial class GermanText
{
    private static readonly HashSet<string> Fillers = ["also", "naja"];

    /// <summary>Words after which a number is a clock time: "um 9.30", "gegen zehn".</summary>
    public static readonly FrozenSet<string> TimePrepositions = FrozenSet.ToFrozenSet(
        ["um", "gegen", "ab", "bis", "circa", "ca", "etwa", "zwischen", "spaetestens", "fruehestens"], StringComparer.Ordinal);

    private static readonly string[] Weekdays =
        ["montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonnabend", "sonntag"];

    private static readonly string[] DayParts =
        ["morgen", "vormittag", "mittag", "nachmittag", "abend", "nacht", "frueh",
         "morgens", "vormittags", "mittags", "nachmittags", "abends", "nachts"];

    public static string Normalize(string text)
    {
        var lower = text.Normalize(NormalizationForm.FormC).ToLower(CultureInfo.InvariantCulture);
        var sb = new StringBuilder(lower.Length + 8);
        foreach (var c in lower)
        {
            switch (c)
            {
                case 'ä': sb.Append("ae"); break;
                case 'ö': sb.Append("oe"); break;
                case 'ü': sb.Append("ue"); break;
                case 'ß': sb.Append("ss"); break;
                case '’' or '‘' or '`' or '´': sb.Append('\''); break;
                default: sb.Append(c); break;
            }
        }

        return OkRegex().Replace(sb.ToString(), "ok");
    }

    public static Utterance Tokenize(string? text)
    {
        var s = Normalize(text ?? "");
        var tokens = new List<Token>();
        var clause = 0;
        var i = 0;
        while (i < s.Length)
        {
            var c = s[i];
            if (char.IsLetter(c))
            {
                i = ReadWord(s, i, tokens, clause);
            }
            else if (char.IsAsciiDigit(c))
            {
                i = ReadNumber(s, i, tokens, clause);
            }
            else
            {
                if (c is '.' or ',' or '?' or '!' or ';' or ':' && tokens.Count > 0 && tokens[^1].Clause == clause)
                {
                    clause++;
                }

                i++;
            }
        }

        return new Utterance(tokens, s.TrimEnd().EndsWith('?'));
    }

    private static int ReadWord(string s, int i, List<Token> tokens, int clause)
    {
        var sb = new StringBuilder();
        // Apostrophes inside a word are dropped: "war's" → "wars", "geht's" → "gehts".
        while (i < s.Length && (char.IsLetter(s[i]) || (s[i] == '\'' && sb.Length > 0 && i + 1 < s.Length && char.IsLetter(s[i + 1]))))
        {
            if (s[i] != '\'')
            {
                sb.Append(s[i]);
            }

            i++;
        }

        var word = sb.ToString();
        if (Fillers.Contains(word) || HesitationRegex().IsMatch(word))
        {
            return i;
        }

        // "Na ja" is hesitation, not a yes.
        if (word == "ja" && tokens.Count > 0 && tokens[^1] is { Text: "na" } na && na.Clause == clause)
        {
            tokens.RemoveAt(tokens.Count - 1);
            return i;
        }

        // "Freitagnachmittag", "Montagmorgen": split so the weekday and the part of day are read separately.
        foreach (var day in Weekdays)
        {
            if (word.Length > day.Length && word.StartsWith(day, StringComparison.Ordinal) && DayParts.Contains(word[day.Length..]))
            {
                tokens.Add(new Token(TokenKind.Word, day, clause));
                tokens.Add(new Token(TokenKind.Word, word[day.Length..], clause));
                return i;
            }
        }

        tokens.Add(new Token(TokenKind.Word, word, clause));
        return i;
    }

    private static int ReadNumber(string s, int i, List<Token> tokens, int clause)
    {
        var first = DigitsAt(s, i);
        var j = i + first.Length;

        // "14:30"
        if (CharAt(s, j) == ':' && DigitsAt(s, j + 1) is { Length: 2 } minutes && IsClock(first, minutes))
        {
            tokens.Add(Clock(first, minutes, clause));
            return j + 3;
        }

        if (CharAt(s, j) == '.' && DigitsAt(s, j + 1) is { Length: 1 or 2 } second)
        {
            var k = j + 1 + second.Length;
            if (CharAt(s, k) == '.' && IsDate(first, second))
            {
                // "3.12." or "03.12.2026" / "3.12.26"
                var year = DigitsAt(s, k + 1);
                int? fullYear = year.Length switch
                {
                    4 => int.Parse(year, CultureInfo.InvariantCulture),
                    2 => 2000 + int.Parse(year, CultureInfo.InvariantCulture),
                    _ => null,
                };
                tokens.Add(Date(first, second, fullYear, clause));
                return fullYear is null ? k + 1 : k + 1 + year.Length;
            }

            // "14.30 Uhr", "um 9.30" are times; a bare "3.12" is a date unless it cannot be one.
            var readsAsClock = second.Length == 2 && IsClock(first, second)
                && (NextWordIs(s, k, "uhr") || PreviousWordIsTimePreposition(tokens) || !IsDate(first, second));
            if (readsAsClock)
            {
                tokens.Add(Clock(first, second, clause));
                return k;
            }

            if (IsDate(first, second))
            {
                tokens.Add(Date(first, second, null, clause));
                return k;
            }
        }

        var dotted = CharAt(s, j) == '.' && !char.IsAsciiDigit(CharAt(s, j + 1));
        tokens.Add(new Token(TokenKind.Number, first, clause)
        {
            Value = first.Length <= 6 ? int.Parse(first, CultureInfo.InvariantCulture) : -1,
            Dotted = dotted,
            LeadingZero = first.Length > 1 && first[0] == '0',
        });
        return dotted ? j + 1 : j;
    }

    private static Token Clock(string hour, string minute, int clause) =>
        new(TokenKind.Clock, hour + ":" + minute, clause)
        {
            Hour = int.Parse(hour, CultureInfo.InvariantCulture),
            Minute = int.Parse(minute, CultureInfo.InvariantCulture),
            LeadingZero = hour.Length > 1 && hour[0] == '0',
        };

    private static Token Date(string day, string month, int? year, int clause) =>
        new(TokenKind.Date, day + "." + month + "." + year, clause)
        {
            Day = int.Parse(day, CultureInfo.InvariantCulture),
            Month = int.Parse(month, CultureInfo.InvariantCulture),
            Year = year,
        };

    private static bool IsClock(string hour, string minute) =>
        hour.Length <= 2 && int.Parse(hour, CultureInfo.InvariantCulture) <= 24 && int.Parse(minute, CultureInfo.InvariantCulture) <= 59;

    private static bool IsDate(string day, string month) =>
        day.Length <= 2 && int.Parse(day, CultureInfo.InvariantCulture) is >= 1 and <= 31
        && int.Parse(month, CultureInfo.InvariantCulture) is >= 1 and <= 12;

    private static bool PreviousWordIsTimePreposition(List<Token> tokens) =>
        tokens.Count > 0 && tokens[^1].Kind == TokenKind.Word && TimePrepositions.Contains(tokens[^1].Text);

    private static bool NextWordIs(string s, int i, string word)
    {
        while (i < s.Length && s[i] == ' ')
        {
            i++;
        }

        return string.CompareOrdinal(s, i, word, 0, word.Length) == 0;
    }

    private static string DigitsAt(string s, int i)
    {
        var end = i;
        while (end < s.Length && char.IsAsciiDigit(s[end]))
        {
            end++;
        }

        return s[i..end];
    }

    private static char CharAt(string s, int i) => i >= 0 && i < s.Length ? s[i] : '\0';

    // "äh", "ähm", "öhm", "ehm", "emm", "hm", "hmm" after folding; "mhm" (a yes) does not match.
    [GeneratedRegex("^(?:(?:ae|oe|e)h+m*|e+m+|h+m+)$")]
    private static partial Regex HesitationRegex();

    [GeneratedRegex(@"\bo\.\s?k\.?(?=\s|$|[,!?])")]
    private static partial Regex OkRegex();
}
