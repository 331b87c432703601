using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using VoiceAgent.Flows.Descriptors;

namespace VoiceAgent.Designer.Properties;

/// <summary>The pure conversions behind the property editors: stored JSON value ⇄ the text in a control.</summary>
public static partial class EditorValues
{
    /// <summary>A stored value (or the default) as text for a control; objects and lists as JSON, numbers in the page
    /// language (German: decimal comma).</summary>
    public static string Display(JsonNode? value, string language = "en")
    {
        if (value is null)
        {
            return "";
        }

        if (value is JsonValue scalar)
        {
            if (scalar.TryGetValue<string>(out var text))
            {
                return text;
            }

            if (scalar.GetValueKind() == JsonValueKind.Number && scalar.TryGetValue<double>(out var number))
            {
                return number.ToString("0.################", language == "de" ? GermanNumbers : CultureInfo.InvariantCulture);
            }

            if (scalar.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
            {
                return scalar.GetValue<bool>() ? "true" : "false";
            }
        }

        return value.ToJsonString();
    }

    private static readonly CultureInfo GermanNumbers = CultureInfo.GetCultureInfo("de-DE");

    /// <summary>Text → stored text: empty means "not set" (null, the default applies).</summary>
    public static JsonNode? Text(string text) => text.Length == 0 ? null : JsonValue.Create(text);

    /// <summary>Text → stored text, trimmed; blank means "not set".</summary>
    public static JsonNode? TrimmedText(string text) => text.Trim() is { Length: > 0 } trimmed ? JsonValue.Create(trimmed) : null;

    /// <summary>A number typed in German or English ("1,5" or "1.5"); whole numbers become JSON integers. Empty: true
    /// with null (the default applies). Not a number: false.</summary>
    public static bool TryParseNumber(string text, out JsonNode? value) => TryParseNumber(text, out value, out _);

    /// <inheritdoc cref="TryParseNumber(string, out JsonNode?)"/>
    public static bool TryParseNumber(string text, out JsonNode? value, out double number)
    {
        value = null;
        number = 0;
        var trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            return true;
        }

        // As the TypeScript editor: the (first) comma is the decimal separator; no thousands separators.
        var normalized = trimmed.Replace(',', '.');
        if (!NumberPattern().IsMatch(normalized)
            || !double.TryParse(normalized, NumberStyles.Float, CultureInfo.InvariantCulture, out number)
            || !double.IsFinite(number))
        {
            return false;
        }

        value = number == Math.Floor(number) && Math.Abs(number) < long.MaxValue
            ? JsonValue.Create((long)number)
            : JsonValue.Create(number);
        return true;
    }

    [GeneratedRegex(@"^[+-]?(\d+\.?\d*|\.\d+)$")]
    private static partial Regex NumberPattern();

    /// <summary>A flow variable name as SetVariable and Listen store it: a letter, then letters, digits or _.</summary>
    public static bool IsVariableName(string name) => VariableNamePattern().IsMatch(name);

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]*$")]
    private static partial Regex VariableNamePattern();

    /// <summary>An own intent (it becomes an outcome name): lower case, digits and _, starting with a letter.</summary>
    public static bool IsIntentName(string name) => IntentPattern().IsMatch(name);

    [GeneratedRegex("^[a-z][a-z0-9_]*$")]
    private static partial Regex IntentPattern();

    public static readonly IReadOnlyList<string> Days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

    /// <summary>One weekday's opening hours as typed ("09:00-12:00, 13:00-17:00"; blank = closed) → the intervals, or
    /// null when one of them is malformed or ends before it starts.</summary>
    public static IReadOnlyList<string>? ParseHours(string text)
    {
        var parts = text.Split(',').Select(p => Whitespace().Replace(p, "")).Where(p => p.Length > 0).ToList();
        return parts.All(p => IntervalPattern().IsMatch(p) && string.CompareOrdinal(p[..5], p[6..]) < 0) ? parts : null;
    }

    [GeneratedRegex(@"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$")]
    private static partial Regex IntervalPattern();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    /// <summary>The intervals stored for a weekday, as the editor shows them.</summary>
    public static string HoursText(JsonNode? hours, string day) =>
        hours is JsonObject week && week[day] is JsonArray list ? string.Join(", ", list.Select(i => Display(i))) : "";

    /// <summary>The outcomes of a node: the declared ones, preceded by the entries of the list input named by
    /// OutcomesFromInput (Ask's intents). Mirrors ActivityType.OutcomesOf on the server and outcomes-of.ts.</summary>
    public static List<string> OutcomesOf(ActivityDescriptor descriptor, JsonObject? inputs)
    {
        var outcomes = descriptor.Outcomes.Select(o => o.Name).ToList();
        if (descriptor.OutcomesFromInput is { } listName && inputs?[listName] is JsonArray list)
        {
            var extra = new List<string>();
            foreach (var item in list)
            {
                var name = Display(item);
                if (name.Length > 0 && !outcomes.Contains(name) && !extra.Contains(name))
                {
                    extra.Add(name);
                }
            }

            outcomes.InsertRange(0, extra);
        }

        return outcomes;
    }

    /// <summary>The word being completed at the end of <paramref name="text"/> and where it starts; null when nothing
    /// is to be completed. Template: after "{{"; expression: an identifier not inside a string.</summary>
    public static (string Word, int Start)? CompletionWord(string text, bool template)
    {
        var match = template ? TemplateWord().Match(text) : ExpressionWord().Match(text);
        if (!match.Success)
        {
            return null;
        }

        var group = template ? match.Groups[1] : match.Groups[2];
        return (group.Value, group.Index);
    }

    [GeneratedRegex(@"\{\{\s*([A-Za-z0-9_.]*)$")]
    private static partial Regex TemplateWord();

    [GeneratedRegex(@"(^|[^A-Za-z0-9_.""'])([A-Za-z_][A-Za-z0-9_.]*)$")]
    private static partial Regex ExpressionWord();

    /// <summary>Inserts a chosen variable at the end of <paramref name="text"/> in place of the word being typed.</summary>
    public static string InsertCompletion(string text, int start, string name, bool template)
    {
        var before = text[..start];
        return template ? TemplateOpen().Replace(before, "") + "{{ " + name + " }}" : before + name;
    }

    [GeneratedRegex(@"\{\{\s*$")]
    private static partial Regex TemplateOpen();

    /// <summary>Up to <paramref name="max"/> variables starting with the typed word (not the word itself).</summary>
    public static List<string> Completions(IEnumerable<string> variables, string word, int max = 8) =>
        variables.Where(v => v.StartsWith(word, StringComparison.OrdinalIgnoreCase) && v != word).Take(max).ToList();
}
