using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace VoiceAgent.Deploy.Tests;

/// <summary>
/// YAML documents as JSON (what kubectl and docker compose make of them): plain scalars typed by the YAML core schema
/// (null, booleans, integers, floats), quoted ones strings; aliases resolved; merge keys (<c>&lt;&lt;: *anchor</c>) merged
/// with the mapping's own keys winning.
/// </summary>
public static partial class Yaml
{
    public static IReadOnlyList<JsonNode?> Documents(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents.Select(d => ToJson(d.RootNode)).Where(n => n is not null).ToList();
    }

    public static JsonNode? Single(string text) => Documents(text) switch
    {
        [var one] => one,
        var many => throw new InvalidDataException($"expected one YAML document, found {many.Count}"),
    };

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlScalarNode scalar => Scalar(scalar),
        YamlSequenceNode sequence => new JsonArray(sequence.Children.Select(ToJson).ToArray()),
        YamlMappingNode mapping => Mapping(mapping),
        _ => throw new InvalidDataException($"unsupported YAML node at {node.Start}"),
    };

    private static JsonObject Mapping(YamlMappingNode mapping)
    {
        var result = new JsonObject();
        foreach (var (key, value) in mapping.Children)
        {
            var name = ((YamlScalarNode)key).Value ?? "";
            if (name == "<<" && key.Tag.IsEmpty && ((YamlScalarNode)key).Style == ScalarStyle.Plain)
            {
                var sources = value is YamlSequenceNode list ? list.Children : [value];
                foreach (var source in sources)
                {
                    foreach (var (k, v) in Mapping((YamlMappingNode)source))
                    {
                        if (!result.ContainsKey(k))
                        {
                            result[k] = v?.DeepClone();
                        }
                    }
                }

                continue;
            }

            result[name] = ToJson(value);
        }

        return result;
    }

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style != ScalarStyle.Plain || !scalar.Tag.IsEmpty)
        {
            return JsonValue.Create(text);
        }

        if (text is "" or "~" or "null" or "Null" or "NULL")
        {
            return null;
        }

        if (text is "true" or "True" or "TRUE")
        {
            return JsonValue.Create(true);
        }

        if (text is "false" or "False" or "FALSE")
        {
            return JsonValue.Create(false);
        }

        if (Integer().IsMatch(text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }

        if (Float().IsMatch(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return JsonValue.Create(number);
        }

        return JsonValue.Create(text);
    }

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex Integer();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex Float();
}
