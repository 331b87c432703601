using System.Globalization;
using VoiceAgent.Flows.Resources;

namespace VoiceAgent.Flows.Expressions;

internal enum TokenKind
{
    Identifier,
    Number,
    String,
    Symbol,
    End,
}

internal readonly record struct Token(TokenKind Kind, string Text, int Position, double Number = 0);

internal static class Lexer
{
    private static readonly string[] Symbols = ["==", "!=", "<=", ">=", "&&", "||", "<", ">", "(", ")", ".", "[", "]", "|", ":", "!"];

    public static List<Token> Tokenize(string text, int offset = 0)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            var start = i;
            if (char.IsLetter(c) || c == '_')
            {
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }

                tokens.Add(new Token(TokenKind.Identifier, text[start..i], offset + start));
                continue;
            }

            if (char.IsDigit(c))
            {
                while (i < text.Length && (char.IsDigit(text[i]) || (text[i] == '.' && i + 1 < text.Length && char.IsDigit(text[i + 1]))))
                {
                    i++;
                }

                var literal = text[start..i];
                tokens.Add(new Token(TokenKind.Number, literal, offset + start, double.Parse(literal, CultureInfo.InvariantCulture)));
                continue;
            }

            if (c is '"' or '\'')
            {
                i++;
                var value = new System.Text.StringBuilder();
                while (i < text.Length && text[i] != c)
                {
                    if (text[i] == '\\' && i + 1 < text.Length)
                    {
                        i++;
                    }

                    value.Append(text[i]);
                    i++;
                }

                if (i >= text.Length)
                {
                    throw new ExpressionException(FlowTexts.Get("Expr.UnterminatedString"), offset + start);
                }

                i++;
                tokens.Add(new Token(TokenKind.String, value.ToString(), offset + start));
                continue;
            }

            var symbol = Symbols.FirstOrDefault(s => string.CompareOrdinal(text, i, s, 0, s.Length) == 0);
            if (symbol is null)
            {
                throw new ExpressionException(FlowTexts.Format("Expr.UnexpectedCharacter", c), offset + i);
            }

            tokens.Add(new Token(TokenKind.Symbol, symbol, offset + i));
            i += symbol.Length;
        }

        tokens.Add(new Token(TokenKind.End, "", offset + text.Length));
        return tokens;
    }
}
