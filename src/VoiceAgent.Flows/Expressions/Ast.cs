namespace VoiceAgent.Flows.Expressions;

/// <summary>
/// The syntax tree of the flow expression language: literals, variable paths, comparisons and boolean logic.
/// There is no call, assignment or member access beyond JSON paths, so evaluating a flow's text can never run code.
/// </summary>
public abstract record Expr;

public sealed record LiteralExpr(object? Value) : Expr;

/// <summary><c>slot.start</c>, <c>slots[0].text</c>, <c>slots.count</c>.</summary>
public sealed record PathExpr(string Root, IReadOnlyList<PathSegment> Segments) : Expr
{
    public override string ToString() => Root + string.Concat(Segments.Select(s => s.Index is { } i ? $"[{i}]" : "." + s.Name));
}

public readonly record struct PathSegment(string? Name, int? Index);

public sealed record NotExpr(Expr Operand) : Expr;

public sealed record BinaryExpr(BinaryOp Op, Expr Left, Expr Right) : Expr;

public enum BinaryOp
{
    And,
    Or,
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Contains,
}

/// <summary>A filter applied in a template placeholder: <c>{{ slot.start | datetime }}</c>, <c>{{ name | default: "Gast" }}</c>.</summary>
public sealed record Filter(string Name, Expr? Argument);
