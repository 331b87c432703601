using System.Collections.Concurrent;
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

    // Variable and property names repeat from step to step and run to run; a bounded cache saves the regex each time.
    private static readonly ConcurrentDictionary<string, bool> SecretNames = new(StringComparer.Ordinal);

    public static bool IsSecretName(string name)
    {
        if (SecretNames.TryGetValue(name, out var secret))
        {
            return secret;
        }

        secret = SecretName().IsMatch(name);
        if (SecretNames.Count < 4096)
        {
            SecretNames.TryAdd(name, secret);
        }

        return secret;
    }

    /// <summary>The value as the trace keeps it under <paramref name="name"/> (a copy: the trace never shares a node).</summary>
    public static JsonNode? Shorten(string name, JsonNode? value) => Shorten(name, value, out _);

    /// <param name="exact">The result is an exact copy: nothing was cut or left out.</param>
    public static JsonNode? Shorten(string name, JsonNode? value, out bool exact)
    {
        exact = true;
        if (IsSecretName(name))
        {
            exact = value is null;
            return Redact(value);
        }

        return Shorten(value, 0, ref exact);
    }

    /// <summary>The value as the trace keeps it (a copy), with no name of its own to judge.</summary>
    public static JsonNode? Shorten(JsonNode? value)
    {
        var exact = true;
        return Shorten(value, 0, ref exact);
    }

    public static JsonValue Text(string text) => JsonValue.Create(text.Length <= MaxText ? text : Cut(text));

    /// <summary>A URL without user info and query (they may carry credentials); other text is shortened as usual.</summary>
    public static JsonValue? Url(string? text)
    {
        if (text is null)
        {
            return null;
        }

        if (Uri.TryCreate(text, UriKind.Absolute, out var uri))
        {
            var kept = uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);
            text = uri.Query.Length > 1 ? kept + "?" + Ellipsis : kept;
        }

        return Text(text);
    }

    public static JsonValue? Redact(object? value) => value is null ? null : JsonValue.Create(Redacted);

    private static JsonNode? Shorten(JsonNode? value, int depth, ref bool exact)
    {
        switch (value)
        {
            case null:
                return null;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                var text = v.GetValue<string>();
                exact &= text.Length <= MaxText;
                return Text(text);
            case JsonValue v:
                return v.DeepClone();
            case var _ when depth >= MaxDepth:
                exact = false;
                return JsonValue.Create(Ellipsis);
            case JsonArray array:
                var items = new JsonArray();
                foreach (var item in array.Take(MaxItems))
                {
                    items.Add(Shorten(item, depth + 1, ref exact));
                }

                if (array.Count > MaxItems)
                {
                    exact = false;
                    items.Add(JsonValue.Create(Ellipsis));
                }

                return items;
            case JsonObject obj:
                var copy = new JsonObject();
                foreach (var (name, item) in obj)
                {
                    if (IsSecretName(name))
                    {
                        exact &= item is null;
                        copy[name] = Redact(item);
                    }
                    else
                    {
                        copy[name] = Shorten(item, depth + 1, ref exact);
                    }
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
