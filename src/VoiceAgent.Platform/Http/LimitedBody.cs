using System.Buffers;
using System.Text;

namespace VoiceAgent.Platform.Http;

/// <summary>
/// Reads a response body from a server we do not control with a hard cap, counting the bytes as they stream in (a
/// missing or lying Content-Length changes nothing). A larger body ends the read with <see cref="ResponseTooLargeException"/>.
/// </summary>
public static class LimitedBody
{
    /// <summary>The cap for JSON answers (webhooks, provider APIs).</summary>
    public const int JsonBytes = 1024 * 1024;

    /// <summary>The cap for iCalendar and CalDAV (WebDAV XML) answers.</summary>
    public const int CalendarBytes = 5 * 1024 * 1024;

    public static async Task<byte[]> ReadBytesAsync(HttpContent content, int maxBytes, CancellationToken ct)
    {
        if (content.Headers.ContentLength is { } declared && declared > maxBytes)
        {
            throw new ResponseTooLargeException(maxBytes);
        }

        await using var stream = await content.ReadAsStreamAsync(ct);
        var buffer = new ArrayBufferWriter<byte>(Math.Min(maxBytes + 1, 16 * 1024));
        while (true)
        {
            var memory = buffer.GetMemory(8192);
            var read = await stream.ReadAsync(memory, ct);
            if (read == 0)
            {
                return buffer.WrittenSpan.ToArray();
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > maxBytes)
            {
                throw new ResponseTooLargeException(maxBytes);
            }
        }
    }

    /// <summary>The body as text in the charset the response names (UTF-8 when none), read with <paramref name="maxBytes"/>.</summary>
    public static async Task<string> ReadStringAsync(HttpContent content, int maxBytes, CancellationToken ct)
    {
        var bytes = await ReadBytesAsync(content, maxBytes, ct);
        var encoding = Encoding.UTF8;
        if (content.Headers.ContentType?.CharSet is { Length: > 0 } charset)
        {
            try
            {
                encoding = Encoding.GetEncoding(charset.Trim('"'));
            }
            catch (ArgumentException)
            {
                encoding = Encoding.UTF8;
            }
        }

        var text = encoding.GetString(bytes);
        return text.Length > 0 && text[0] == '\uFEFF' ? text[1..] : text;
    }
}

/// <summary>
/// Buffers every answer through <see cref="LimitedBody.ReadBytesAsync"/> before the client sees it, for clients whose
/// callers read bodies as a whole (a larger answer fails with <see cref="ResponseTooLargeException"/>).
/// </summary>
public sealed class ResponseLimitHandler(int maxBytes) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        try
        {
            var bytes = await LimitedBody.ReadBytesAsync(response.Content, maxBytes, cancellationToken);
            var limited = new ByteArrayContent(bytes);
            foreach (var header in response.Content.Headers)
            {
                limited.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            response.Content.Dispose();
            response.Content = limited;
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }
}

/// <summary>A server answered with more than the cap allows; the rest of its answer was not read.</summary>
public sealed class ResponseTooLargeException(int maxBytes)
    : HttpRequestException($"The response is larger than {maxBytes / 1024} KiB and was not read.")
{
    public int MaxBytes { get; } = maxBytes;
}
