using System.Text.Json.Nodes;

namespace VoiceAgent.Flows.Expressions;

/// <summary>A parsed condition or value expression (<c>intent == "book_appointment" and slots.count &gt; 0</c>).</summary>
public sealed class FlowExpression
{
    private FlowExpression(string source, Expr root)
    {
        Source = source;
        Root = root;
    }

    public string Source { get; }

    public Expr Root { get; }

    /// <exception cref="ExpressionException">The text is not a valid expression.</exception>
    public static FlowExpression Parse(string source) => new(source, Parser.ParseExpression(source));

    public object? Evaluate(JsonObject variables) => Evaluator.Evaluate(Root, variables);

    public bool IsTrue(JsonObject variables) => Evaluator.IsTruthy(Evaluate(variables));

    public override string ToString() => Source;
}

/// <summary>A text with placeholders: <c>Guten Tag, {{ caller.name | default: "lieber Anrufer" }}</c>.</summary>
public sealed class FlowTemplate
{
    private readonly (string? Text, Expr? Expr, IReadOnlyList<Filter> Filters)[] parts;

    private FlowTemplate(string source, (string?, Expr?, IReadOnlyList<Filter>)[] parts)
    {
        Source = source;
        this.parts = parts;
    }

    public string Source { get; }

    public bool IsConstant => parts.All(p => p.Expr is null);

    /// <exception cref="ExpressionException">A placeholder is malformed or not closed.</exception>
    public static FlowTemplate Parse(string source)
    {
        var parts = new List<(string?, Expr?, IReadOnlyList<Filter>)>();
        var position = 0;
        while (position < source.Length)
        {
            var open = source.IndexOf("{{", position, StringComparison.Ordinal);
            if (open < 0)
            {
                parts.Add((source[position..], null, []));
                break;
            }

            if (open > position)
            {
                parts.Add((source[position..open], null, []));
            }

            var close = source.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                throw new ExpressionException(Resources.FlowTexts.Get("Expr.UnclosedPlaceholder"), open);
            }

            var (expr, filters) = Parser.ParsePlaceholder(source[(open + 2)..close], open + 2);
            parts.Add((null, expr, filters));
            position = close + 2;
        }

        return new FlowTemplate(source, parts.ToArray());
    }

    public string Render(JsonObject variables)
    {
        if (parts.Length == 1 && parts[0].Text is { } only)
        {
            return only;
        }

        var sb = new System.Text.StringBuilder(Source.Length + 32);
        foreach (var (text, expr, filters) in parts)
        {
            if (text is not null)
            {
                sb.Append(text);
                continue;
            }

            var value = Evaluator.Evaluate(expr!, variables);
            foreach (var filter in filters)
            {
                value = Filters.Apply(filter, value, variables);
            }

            sb.Append(Evaluator.Text(value));
        }

        return sb.ToString();
    }

    public override string ToString() => Source;
}
