using System.Globalization;

namespace VoiceAgent.Flows.Expressions;

/// <summary>Template filters. Dates are spoken in German: "Dienstag, 24. November um 10:30 Uhr".</summary>
public static class Filters
{
    public static readonly IReadOnlySet<string> Known = new HashSet<string>(StringComparer.Ordinal)
    {
        "default", "upper", "lower", "date", "time", "datetime",
    };

    private static readonly CultureInfo German = CultureInfo.GetCultureInfo("de-DE");

    public static object? Apply(Filter filter, object? value, System.Text.Json.Nodes.JsonObject variables) => filter.Name switch
    {
        "default" => Evaluator.IsTruthy(value) ? value : filter.Argument is null ? null : Evaluator.Evaluate(filter.Argument, variables),
        "upper" => Evaluator.Text(value).ToUpper(German),
        "lower" => Evaluator.Text(value).ToLower(German),
        "date" => AsDate(value) is { } d ? d.ToString("dddd, d. MMMM", German) : value,
        "time" => AsDate(value) is { } t ? SpokenTime(t) : value,
        "datetime" => AsDate(value) is { } dt ? SpokenDateTime(dt) : value,
        _ => value,
    };

    /// <summary>"Montag, 23. November um 9 Uhr" — the wall-clock time of the value's own offset.</summary>
    public static string SpokenDateTime(DateTimeOffset t) => $"{t.ToString("dddd, d. MMMM", German)} um {SpokenTime(t)}";

    public static string SpokenTime(DateTimeOffset t) => t.Minute == 0 ? $"{t.Hour} Uhr" : $"{t.Hour}:{t.Minute:00} Uhr";

    public static string JoinSpoken(IEnumerable<string> items)
    {
        var list = items.Where(s => s.Length > 0).ToList();
        return list.Count <= 1 ? string.Concat(list) : string.Join(", ", list[..^1]) + " oder " + list[^1];
    }

    // Dates in variables are ISO 8601 with offset, so the local wall-clock time is what is said.
    private static DateTimeOffset? AsDate(object? value) =>
        value is string s && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;
}
