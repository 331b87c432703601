using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace VoiceAgent.Flows.Runtime;

/// <summary>
/// Shortens values for the <see cref="FlowTrace"/>: the trace is stored with every turn and shown to the tenant, so it keeps
/// what explains a step and leaves out bulk and secrets. Texts are cut after <see cref="MaxText"/> characters and lists after
/// <see cref="MaxItems"/> entries (both marked with "…"), deep nesting is cut, values under names that look like secrets
/// (password, token, API key …) are replaced by <see cref="Redacted"/>, and a URL loses its user info and query.
/// </summary>
public static partial class TraceValues
{
    public const int MaxText = 300;
    public const int MaxItems = 50;
    public const int MaxDepth = 8;
    public const string Ellipsis = "…";
    public const string Redacted = "***";

    [GeneratedRegex("passw|secret|token|api_?key|credential|authori[sz]ation|cookie|signature", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();

    public static bool IsSecretName(string name) => SecretName().IsMatch(name);

    /// <summary>The value as the trace keeps it under <paramref name="name"/>.</summary>
    public static JsonNode? Shorten(string name, JsonNode? value) => IsSecretName(name) ? Redact(value) : Shorten(value, 0);

    /// <summary>A URL without user info and query (they may carry credentials); other text is shortened as usual.</summary>
    public static JsonNode? ShortenUrl(string name, JsonNode? value)
    {
        if (value is JsonValue v && v.GetValueKind() == JsonValueKind.String && Uri.TryCreate(v.GetValue<string>(), UriKind.Absolute, out var uri))
        {
            var kept = uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);
            value = JsonValue.Create(uri.Query.Length > 1 ? kept + "?" + Ellipsis : kept);
        }

        return Shorten(name, value);
    }

    private static JsonNode? Redact(JsonNode? value) => value is null ? null : JsonValue.Create(Redacted);

    private static JsonNode? Shorten(JsonNode? value, int depth)
    {
        switch (value)
        {
            case null:
                return null;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                var text = v.GetValue<string>();
                return text.Length <= MaxText ? JsonValue.Create(text) : JsonValue.Create(Cut(text));
            case JsonValue v:
                return v.DeepClone();
            case var _ when depth >= MaxDepth:
                return JsonValue.Create(Ellipsis);
            case JsonArray array:
                var items = new JsonArray();
                foreach (var item in array.Take(MaxItems))
                {
                    items.Add(Shorten(item, depth + 1));
                }

                if (array.Count > MaxItems)
                {
                    items.Add(JsonValue.Create(Ellipsis));
                }

                return items;
            case JsonObject obj:
                var copy = new JsonObject();
                foreach (var (name, item) in obj)
                {
                    copy[name] = IsSecretName(name) ? Redact(item) : Shorten(item, depth + 1);
                }

                return copy;
            default:
                return value.DeepClone();
        }
    }

    // Never splits a surrogate pair (the trace must stay valid UTF-16 to serialize).
    private static string Cut(string text)
    {
        var length = char.IsHighSurrogate(text[MaxText - 1]) ? MaxText - 1 : MaxText;
        return string.Concat(text.AsSpan(0, length), Ellipsis);
    }
}
