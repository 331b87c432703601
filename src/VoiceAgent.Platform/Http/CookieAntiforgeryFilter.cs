using Microsoft.AspNetCore.Antiforgery;
using VoiceAgent.Platform.Resources;

namespace VoiceAgent.Platform.Http;

/// <summary>
/// API calls that change something and are authenticated by the portal cookie (the designer's fetches) must carry the
/// antiforgery token in the <see cref="AntiforgeryOptions.HeaderName"/> header, or another site could make the browser
/// send them. Bearer-token clients cannot be tricked that way and need none; reads need none either.
/// </summary>
public sealed class CookieAntiforgeryFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var method = http.Request.Method;
        var safe = HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method);
        var bearer = http.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);
        if (!safe && !bearer && !await http.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(http))
        {
            return Problems.Status(StatusCodes.Status400BadRequest, Texts.Get("Problem.Antiforgery"));
        }

        return await next(context);
    }
}
