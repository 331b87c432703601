using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Unicode;

namespace VoiceAgent.Telephony.Sipgate;

/// <summary>
/// A strict application/x-www-form-urlencoded reader: "+" is a space, "%XX" a byte, the bytes must be UTF-8.
/// Bracket suffixes are dropped ("user[]", "user[][0]" and "user[0]" all become "user") and repeated keys keep
/// their order, because sipgate and its SDK's tests use all of these forms.
/// </summary>
internal sealed class FormFields
{
    private readonly Dictionary<string, List<string>> fields = new(StringComparer.Ordinal);

    private FormFields()
    {
    }

    public static bool TryParse(ReadOnlySpan<byte> body, [NotNullWhen(true)] out FormFields? form, [NotNullWhen(false)] out string? error)
    {
        var parsed = new FormFields();
        var buffer = new byte[body.Length];
        while (!body.IsEmpty)
        {
            var amp = body.IndexOf((byte)'&');
            var pair = amp < 0 ? body : body[..amp];
            body = amp < 0 ? ReadOnlySpan<byte>.Empty : body[(amp + 1)..];
            if (pair.IsEmpty)
            {
                continue;
            }

            var eq = pair.IndexOf((byte)'=');
            var rawKey = eq < 0 ? pair : pair[..eq];
            var rawValue = eq < 0 ? ReadOnlySpan<byte>.Empty : pair[(eq + 1)..];
            if (!TryDecode(rawKey, buffer, out var key) || !TryDecode(rawValue, buffer, out var value))
            {
                form = null;
                error = "The body is not valid form encoding (bad percent escape, invalid UTF-8 or a control character).";
                return false;
            }

            var bracket = key.IndexOf('[');
            var name = bracket < 0 ? key : key[..bracket];
            if (name.Length == 0)
            {
                continue;
            }

            if (!parsed.fields.TryGetValue(name, out var values))
            {
                parsed.fields[name] = values = [];
            }

            values.Add(value);
        }

        form = parsed;
        error = null;
        return true;
    }

    public IReadOnlyList<string> All(string name) => fields.TryGetValue(name, out var values) ? values : [];

    public int Count(string name) => fields.TryGetValue(name, out var values) ? values.Count : 0;

    private static bool TryDecode(ReadOnlySpan<byte> raw, Span<byte> buffer, out string text)
    {
        var length = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            var b = raw[i];
            if (b == (byte)'+')
            {
                b = (byte)' ';
            }
            else if (b == (byte)'%')
            {
                if (i + 2 >= raw.Length || HexValue(raw[i + 1]) is not (>= 0 and var high) || HexValue(raw[i + 2]) is not (>= 0 and var low))
                {
                    text = "";
                    return false;
                }

                b = (byte)((high << 4) | low);
                i += 2;
            }

            // Control characters have no business in numbers, ids or names and would end up in logs.
            if (b < 0x20 || b == 0x7F)
            {
                text = "";
                return false;
            }

            buffer[length++] = b;
        }

        var bytes = buffer[..length];
        if (!Utf8.IsValid(bytes))
        {
            text = "";
            return false;
        }

        text = Encoding.UTF8.GetString(bytes);
        return true;
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };
}
