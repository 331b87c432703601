using System.Collections;
using System.Collections.Specialized;
using System.Text.Json;
using Quartz;
using Quartz.Spi;

namespace VoiceAgent.Web.Billing;

/// <summary>
/// The ADO job store must serialize job data maps. Quartz's only built-in serializer (binary) relies on BinaryFormatter,
/// which .NET 10 no longer has, and its JSON serializer packages are not on the registry this project uses. Our jobs keep
/// string values only (the store runs with useProperties = true), so the maps are written as a flat JSON object of strings.
/// Anything else is refused loudly rather than stored in a form that cannot be read back.
/// </summary>
public sealed class QuartzJsonSerializer : IObjectSerializer
{
    public void Initialize()
    {
    }

    public byte[] Serialize<T>(T obj) where T : class
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        switch (obj)
        {
            case NameValueCollection collection:
                foreach (string? key in collection)
                {
                    values[key!] = collection[key];
                }

                break;
            case IDictionary dictionary:
                foreach (DictionaryEntry entry in dictionary)
                {
                    values[(string)entry.Key] = entry.Value switch
                    {
                        null => null,
                        string s => s,
                        _ => throw new NotSupportedException($"Job data '{entry.Key}' is {entry.Value.GetType().Name}; only strings are stored."),
                    };
                }

                break;
            default:
                throw new NotSupportedException($"Quartz asked to store a {obj?.GetType().Name}; only job data maps of strings are supported.");
        }

        return JsonSerializer.SerializeToUtf8Bytes(values);
    }

    public T? DeSerialize<T>(byte[] data) where T : class
    {
        var values = JsonSerializer.Deserialize<Dictionary<string, string?>>(data) ?? [];
        if (typeof(T) == typeof(NameValueCollection))
        {
            var collection = new NameValueCollection();
            foreach (var (key, value) in values)
            {
                collection[key] = value;
            }

            return (T)(object)collection;
        }

        if (typeof(T).IsAssignableFrom(typeof(JobDataMap)))
        {
            var map = new JobDataMap();
            foreach (var (key, value) in values)
            {
                map[key] = value!;
            }

            return (T)(object)map;
        }

        if (typeof(T).IsAssignableFrom(typeof(Dictionary<string, object?>)))
        {
            return (T)(object)values.ToDictionary(v => v.Key, v => (object?)v.Value);
        }

        throw new NotSupportedException($"Quartz asked to read a {typeof(T).Name}; only job data maps of strings are supported.");
    }
}
