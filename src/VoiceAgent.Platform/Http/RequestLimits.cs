using VoiceAgent.Platform.Resources;

namespace VoiceAgent.Platform.Http;

/// <summary>
/// Body size limits: Kestrel refuses anything over 1 MiB while reading; API requests that declare a larger body than
/// the API needs are refused up front with a German problem (413) before any work is done. Recordings for the test
/// console (POST /api/flows/{id}/simulations/{sid}/speech) may use the full 1 MiB
/// (<see cref="MaxSpeechBody"/>, at most <see cref="MaxSpeechSeconds"/> of audio).
/// </summary>
public static class RequestLimits
{
    public const long MaxBody = 1024 * 1024;
    public const long MaxApiBody = 256 * 1024;
    public const long MaxSpeechBody = MaxBody;
    public const int MaxSpeechSeconds = 30;

    public static string SpeechTooLargeMessage() => Texts.Format("Simulation.SpeechTooLarge", MaxSpeechSeconds);

    public static void UseRequestLimits(this WebApplication app) => app.Use(async (context, next) =>
    {
        var speech = IsSpeechUpload(context.Request);
        var limit = speech ? MaxSpeechBody : context.Request.Path.StartsWithSegments("/api") ? MaxApiBody : MaxBody;
        if (context.Request.ContentLength > limit)
        {
            await Problems.Write(context, StatusCodes.Status413PayloadTooLarge,
                speech ? SpeechTooLargeMessage() : Texts.Get("Problem.TooLarge"));
            return;
        }

        await next(context);
    });

    private static bool IsSpeechUpload(HttpRequest request) =>
        HttpMethods.IsPost(request.Method) && request.Path.StartsWithSegments("/api/flows")
        && request.Path.Value!.EndsWith("/speech", StringComparison.Ordinal);
}
