using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using VoiceAgent.Flows.Expressions;

namespace VoiceAgent.Flows.Descriptors;

/// <summary>One bindable input of an activity class and the conversions from its JSON value.</summary>
public sealed class InputProperty(string name, PropertyInfo property, InputSyntax syntax, bool required, string[]? options)
{
    public string Name { get; } = name;
    public InputSyntax Syntax { get; } = syntax;
    public bool Required { get; } = required;
    public IReadOnlyList<string>? Options { get; } = options;
    public Type ValueType { get; } = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;

    /// <summary>The class's default for a template or expression input; it is parsed like a value the node sets.</summary>
    public string? DefaultText { get; init; }

    public void Set(object activity, object? value) => property.SetValue(activity, value);

    /// <summary>Converts a literal JSON value to the property's type; false when it cannot be.</summary>
    public bool TryConvertLiteral(JsonNode? node, out object? value)
    {
        value = null;
        if (node is null)
        {
            return !ValueType.IsValueType || Nullable.GetUnderlyingType(property.PropertyType) is not null;
        }

        if (ValueType == typeof(JsonNode) || ValueType == typeof(JsonObject) && node is JsonObject || ValueType == typeof(JsonArray) && node is JsonArray)
        {
            value = node.DeepClone();
            return true;
        }

        var scalar = Evaluator.FromNode(node);
        switch (ValueType)
        {
            case var t when t == typeof(string):
                value = scalar switch
                {
                    string s => s,
                    double d => d.ToString(CultureInfo.InvariantCulture),
                    bool b => b ? "true" : "false",
                    _ => null,
                };
                return value is not null && (Options is null || Options.Contains((string)value));
            case var t when t == typeof(int):
                if (scalar is double d1 && d1 % 1 == 0 && d1 is >= int.MinValue and <= int.MaxValue)
                {
                    value = (int)d1;
                }
                else if (scalar is string s1 && int.TryParse(s1, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i))
                {
                    value = i;
                }

                return value is not null;
            case var t when t == typeof(double):
                value = scalar switch
                {
                    double d2 => d2,
                    string s2 when double.TryParse(s2, NumberStyles.Float, CultureInfo.InvariantCulture, out var d3) => d3,
                    _ => null,
                };
                return value is not null;
            case var t when t == typeof(bool):
                value = scalar switch
                {
                    bool b => b,
                    string s3 when bool.TryParse(s3, out var b2) => b2,
                    _ => null,
                };
                return value is not null;
            case var t when t == typeof(string[]):
                value = node switch
                {
                    JsonArray array when array.All(n => n is JsonValue v && v.GetValueKind() == JsonValueKind.String) =>
                        array.Select(n => n!.GetValue<string>()).ToArray(),
                    JsonValue v when v.GetValueKind() == JsonValueKind.String =>
                        v.GetValue<string>().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                    _ => null,
                };
                return value is not null;
            default:
                return false;
        }
    }

    /// <summary>Converts an evaluated expression value to the property's type (total: falls back to the type's default).</summary>
    public object? ConvertEvaluated(object? value) => ValueType switch
    {
        var t when t == typeof(bool) => Evaluator.IsTruthy(value),
        var t when t == typeof(string) => value is null ? null : Evaluator.Text(value),
        var t when t == typeof(double) => value is double d ? d : 0d,
        var t when t == typeof(int) => value is double d ? (int)d : 0,
        var t when t == typeof(JsonNode) => Evaluator.ToNode(value),
        _ => value,
    };

    internal static string ValueTypeOf(Type type, InputSyntax syntax)
    {
        if (syntax == InputSyntax.Expression)
        {
            return "expression";
        }

        type = Nullable.GetUnderlyingType(type) ?? type;
        return type == typeof(string) ? "string"
            : type == typeof(int) || type == typeof(double) ? "number"
            : type == typeof(bool) ? "boolean"
            : type == typeof(string[]) ? "list"
            : "object";
    }

    internal static JsonNode? ToJson(object? value) => value switch
    {
        null => null,
        string s => JsonValue.Create(s),
        int i => JsonValue.Create(i),
        double d => JsonValue.Create(d),
        bool b => JsonValue.Create(b),
        string[] list => new JsonArray(list.Select(x => (JsonNode?)JsonValue.Create(x)).ToArray()),
        JsonNode n => n.DeepClone(),
        _ => null,
    };
}
