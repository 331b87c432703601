using VoiceAgent.Platform.Resources;

namespace VoiceAgent.Web.Infrastructure;

/// <summary>
/// Body size limits: Kestrel refuses anything over 1 MiB while reading; API requests that declare a larger body than
/// the API needs are refused up front with a German problem (413) before any work is done.
/// </summary>
public static class RequestLimits
{
    public const long MaxBody = 1024 * 1024;
    public const long MaxApiBody = 256 * 1024;

    public static void UseRequestLimits(this WebApplication app) => app.Use(async (context, next) =>
    {
        var limit = context.Request.Path.StartsWithSegments("/api") ? MaxApiBody : MaxBody;
        if (context.Request.ContentLength > limit)
        {
            await Problems.Write(context, StatusCodes.Status413PayloadTooLarge, Texts.Get("Problem.TooLarge"));
            return;
        }

        await next(context);
    });
}
