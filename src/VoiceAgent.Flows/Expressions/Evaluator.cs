using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace VoiceAgent.Flows.Expressions;

/// <summary>
/// Evaluates expressions against the run's variables. Evaluation is total: a missing variable is null, a comparison of
/// values of different kinds is false. Results are CLR values: null, bool, double, string, or a JSON array/object.
/// </summary>
public static class Evaluator
{
    public static object? Evaluate(Expr expr, JsonObject variables) => expr switch
    {
        LiteralExpr l => l.Value,
        PathExpr p => Resolve(p, variables),
        NotExpr n => !IsTruthy(Evaluate(n.Operand, variables)),
        BinaryExpr { Op: BinaryOp.And } b => IsTruthy(Evaluate(b.Left, variables)) && IsTruthy(Evaluate(b.Right, variables)),
        BinaryExpr { Op: BinaryOp.Or } b => IsTruthy(Evaluate(b.Left, variables)) || IsTruthy(Evaluate(b.Right, variables)),
        BinaryExpr b => Compare(b.Op, Evaluate(b.Left, variables), Evaluate(b.Right, variables)),
        _ => null,
    };

    public static bool IsTruthy(object? value) => value switch
    {
        null => false,
        bool b => b,
        double d => d != 0,
        string s => s.Length > 0,
        JsonArray a => a.Count > 0,
        _ => true,
    };

    /// <summary>Converts a JSON node to the evaluator's value model.</summary>
    public static object? FromNode(JsonNode? node)
    {
        if (node is not JsonValue value)
        {
            return node;
        }

        return value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.Number => value.GetValue<double>(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => null,
        };
    }

    /// <summary>Converts an evaluator value to a fresh JSON node (safe to store in variables).</summary>
    public static JsonNode? ToNode(object? value) => value switch
    {
        null => null,
        bool b => JsonValue.Create(b),
        double d => JsonValue.Create(d),
        string s => JsonValue.Create(s),
        JsonNode n => n.DeepClone(),
        _ => JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture)),
    };

    private static object? Resolve(PathExpr path, JsonObject variables)
    {
        if (!variables.TryGetPropertyValue(path.Root, out var node))
        {
            return null;
        }

        foreach (var segment in path.Segments)
        {
            switch (node)
            {
                case JsonArray array when segment.Index is { } i:
                    node = i < array.Count ? array[i] : null;
                    break;
                case JsonArray array when segment.Name is "count" or "length":
                    return (double)array.Count;
                case JsonObject obj when segment.Name is { } name:
                    node = obj.TryGetPropertyValue(name, out var child) ? child : null;
                    break;
                case JsonValue value when segment.Name is "length" or "count" && value.GetValueKind() == JsonValueKind.String:
                    return (double)value.GetValue<string>().Length;
                default:
                    return null;
            }
        }

        return FromNode(node);
    }

    private static bool Compare(BinaryOp op, object? left, object? right)
    {
        if (op == BinaryOp.Contains)
        {
            return left switch
            {
                string s when right is not null => s.Contains(Text(right), StringComparison.OrdinalIgnoreCase),
                JsonArray a => a.Any(item => AreEqual(FromNode(item), right)),
                _ => false,
            };
        }

        if (op is BinaryOp.Equal or BinaryOp.NotEqual)
        {
            return AreEqual(left, right) == (op == BinaryOp.Equal);
        }

        int? order = (left, right) switch
        {
            (double a, double b) => a.CompareTo(b),
            (double a, string b) when TryNumber(b, out var nb) => a.CompareTo(nb),
            (string a, double b) when TryNumber(a, out var na) => na.CompareTo(b),
            (string a, string b) => string.CompareOrdinal(a, b),
            _ => null,
        };
        return order is { } o && op switch
        {
            BinaryOp.Less => o < 0,
            BinaryOp.LessOrEqual => o <= 0,
            BinaryOp.Greater => o > 0,
            BinaryOp.GreaterOrEqual => o >= 0,
            _ => false,
        };
    }

    private static bool AreEqual(object? left, object? right) => (left, right) switch
    {
        (null, null) => true,
        (null, _) or (_, null) => false,
        (double a, double b) => a.Equals(b),
        (double a, string b) => TryNumber(b, out var nb) && a.Equals(nb),
        (string a, double b) => TryNumber(a, out var na) && na.Equals(b),
        (string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase),
        (bool a, bool b) => a == b,
        (JsonNode a, JsonNode b) => JsonNode.DeepEquals(a, b),
        _ => false,
    };

    private static bool TryNumber(string s, out double value) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    /// <summary>How a value reads in a spoken German text.</summary>
    public static string Text(object? value) => value switch
    {
        null => "",
        string s => s,
        bool b => b ? "ja" : "nein",
        double d => d.ToString(CultureInfo.GetCultureInfo("de-DE")),
        JsonArray a => Filters.JoinSpoken(a.Select(item => item is JsonObject o && o.TryGetPropertyValue("text", out var t) ? Text(FromNode(t)) : Text(FromNode(item)))),
        JsonObject o when o.TryGetPropertyValue("text", out var t) => Text(FromNode(t)),
        JsonNode n => n.ToJsonString(),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}
