using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace VoiceAgent.Flows.Diff;

/// <summary>
/// Structural equality of JSON values: objects are sets of properties (order does not matter), arrays are sequences,
/// numbers are equal by value (<c>2</c> equals <c>2.0</c>), strings ordinally; JSON null equals a missing value.
/// </summary>
public static class JsonStructure
{
    public static bool Equal(JsonNode? a, JsonNode? b)
    {
        var kindA = a?.GetValueKind() ?? JsonValueKind.Null;
        var kindB = b?.GetValueKind() ?? JsonValueKind.Null;
        if (kindA != kindB)
        {
            return false;
        }

        switch (kindA)
        {
            case JsonValueKind.Null:
            case JsonValueKind.True:
            case JsonValueKind.False:
                return true;
            case JsonValueKind.String:
                return string.Equals(a!.GetValue<string>(), b!.GetValue<string>(), StringComparison.Ordinal);
            case JsonValueKind.Number:
                return NumbersEqual(a!, b!);
            case JsonValueKind.Array:
            {
                var x = a!.AsArray();
                var y = b!.AsArray();
                return x.Count == y.Count && x.Zip(y).All(p => Equal(p.First, p.Second));
            }

            case JsonValueKind.Object:
            {
                var x = a!.AsObject();
                var y = b!.AsObject();
                // A property set to null and a missing property mean the same to the runner.
                return x.All(p => Equal(p.Value, y[p.Key])) && y.All(p => x.ContainsKey(p.Key) || p.Value is null
                    || p.Value.GetValueKind() == JsonValueKind.Null);
            }

            default:
                return false;
        }
    }

    // Every number node prints as its JSON text, whatever CLR value backs it.
    private static bool NumbersEqual(JsonNode a, JsonNode b)
    {
        string x = a.ToJsonString(), y = b.ToJsonString();
        if (decimal.TryParse(x, NumberStyles.Float, CultureInfo.InvariantCulture, out var dx)
            && decimal.TryParse(y, NumberStyles.Float, CultureInfo.InvariantCulture, out var dy))
        {
            return dx == dy;
        }

        return double.TryParse(x, NumberStyles.Float, CultureInfo.InvariantCulture, out var fx)
               && double.TryParse(y, NumberStyles.Float, CultureInfo.InvariantCulture, out var fy) && fx.Equals(fy);
    }
}
