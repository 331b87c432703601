using VoiceAgent.Flows.Resources;

namespace VoiceAgent.Flows.Expressions;

/// <summary>
/// Recursive-descent parser. Grammar:
/// <code>
/// or      := and (("or" | "||") and)*
/// and     := unary (("and" | "&amp;&amp;") unary)*
/// unary   := ("not" | "!") unary | compare
/// compare := primary (("==" | "!=" | "&lt;" | "&lt;=" | "&gt;" | "&gt;=" | "contains") primary)?
/// primary := number | string | true | false | null | path | "(" or ")"
/// path    := identifier ("." identifier | "[" number "]")*
/// </code>
/// </summary>
internal sealed class Parser
{
    private readonly List<Token> tokens;
    private int index;

    private Parser(List<Token> tokens) => this.tokens = tokens;

    private Token Current => tokens[index];

    public static Expr ParseExpression(string text, int offset = 0)
    {
        var parser = new Parser(Lexer.Tokenize(text, offset));
        if (parser.Current.Kind == TokenKind.End)
        {
            throw new ExpressionException(FlowTexts.Get("Expr.Empty"), offset);
        }

        var expr = parser.Or();
        parser.ExpectEnd();
        return expr;
    }

    /// <summary>Parses the inside of a template placeholder: an expression followed by <c>| filter[: argument]</c>.</summary>
    public static (Expr Expr, IReadOnlyList<Filter> Filters) ParsePlaceholder(string text, int offset)
    {
        var parser = new Parser(Lexer.Tokenize(text, offset));
        if (parser.Current.Kind == TokenKind.End)
        {
            throw new ExpressionException(FlowTexts.Get("Expr.EmptyPlaceholder"), offset);
        }

        var expr = parser.Or();
        var filters = new List<Filter>();
        while (parser.Accept("|"))
        {
            var name = parser.Current;
            if (name.Kind != TokenKind.Identifier || !Filters.Known.Contains(name.Text))
            {
                throw new ExpressionException(FlowTexts.Format("Expr.UnknownFilter", name.Text, string.Join(", ", Filters.Known)), name.Position);
            }

            parser.index++;
            Expr? argument = null;
            if (parser.Accept(":"))
            {
                var position = parser.Current.Position;
                argument = parser.Primary();
                if (argument is not (LiteralExpr or PathExpr))
                {
                    throw new ExpressionException(FlowTexts.Get("Expr.FilterArgument"), position);
                }
            }

            filters.Add(new Filter(name.Text, argument));
        }

        parser.ExpectEnd();
        return (expr, filters);
    }

    private void ExpectEnd()
    {
        if (Current.Kind != TokenKind.End)
        {
            throw new ExpressionException(FlowTexts.Format("Expr.Unexpected", Current.Text), Current.Position);
        }
    }

    private bool Accept(string symbol)
    {
        if ((Current.Kind == TokenKind.Symbol && Current.Text == symbol)
            || (Current.Kind == TokenKind.Identifier && Current.Text.Equals(symbol, StringComparison.OrdinalIgnoreCase)))
        {
            index++;
            return true;
        }

        return false;
    }

    private Expr Or()
    {
        var left = And();
        while (Accept("or") || Accept("||"))
        {
            left = new BinaryExpr(BinaryOp.Or, left, And());
        }

        return left;
    }

    private Expr And()
    {
        var left = Unary();
        while (Accept("and") || Accept("&&"))
        {
            left = new BinaryExpr(BinaryOp.And, left, Unary());
        }

        return left;
    }

    private Expr Unary() => Accept("not") || Accept("!") ? new NotExpr(Unary()) : Compare();

    private Expr Compare()
    {
        var left = Primary();
        BinaryOp? op = Current.Text switch
        {
            "==" => BinaryOp.Equal,
            "!=" => BinaryOp.NotEqual,
            "<" => BinaryOp.Less,
            "<=" => BinaryOp.LessOrEqual,
            ">" => BinaryOp.Greater,
            ">=" => BinaryOp.GreaterOrEqual,
            "contains" when Current.Kind == TokenKind.Identifier => BinaryOp.Contains,
            _ => null,
        };
        if (op is null)
        {
            return left;
        }

        index++;
        return new BinaryExpr(op.Value, left, Primary());
    }

    private Expr Primary()
    {
        var token = Current;
        switch (token.Kind)
        {
            case TokenKind.Number:
                index++;
                return new LiteralExpr(token.Number);
            case TokenKind.String:
                index++;
                return new LiteralExpr(token.Text);
            case TokenKind.Identifier:
                index++;
                return token.Text switch
                {
                    "true" => new LiteralExpr(true),
                    "false" => new LiteralExpr(false),
                    "null" => new LiteralExpr(null),
                    "and" or "or" or "not" or "contains" => throw new ExpressionException(FlowTexts.Format("Expr.Unexpected", token.Text), token.Position),
                    _ => Path(token.Text),
                };
            case TokenKind.Symbol when token.Text == "(":
                index++;
                var inner = Or();
                if (!Accept(")"))
                {
                    throw new ExpressionException(FlowTexts.Get("Expr.MissingParenthesis"), Current.Position);
                }

                return inner;
            case TokenKind.End:
                throw new ExpressionException(FlowTexts.Get("Expr.UnexpectedEnd"), token.Position);
            default:
                throw new ExpressionException(FlowTexts.Format("Expr.Unexpected", token.Text), token.Position);
        }
    }

    private PathExpr Path(string root)
    {
        var segments = new List<PathSegment>();
        while (true)
        {
            if (Accept("."))
            {
                if (Current.Kind != TokenKind.Identifier)
                {
                    throw new ExpressionException(FlowTexts.Get("Expr.PropertyName"), Current.Position);
                }

                segments.Add(new PathSegment(Current.Text, null));
                index++;
            }
            else if (Accept("["))
            {
                if (Current.Kind != TokenKind.Number || Current.Number % 1 != 0 || Current.Number < 0)
                {
                    throw new ExpressionException(FlowTexts.Get("Expr.Index"), Current.Position);
                }

                segments.Add(new PathSegment(null, (int)Current.Number));
                index++;
                if (!Accept("]"))
                {
                    throw new ExpressionException(FlowTexts.Get("Expr.MissingBracket"), Current.Position);
                }
            }
            else
            {
                return new PathExpr(root, segments);
            }
        }
    }
}
