using Microsoft.AspNetCore.Diagnostics;
using VoiceAgent.Platform.Resources;

namespace VoiceAgent.Platform.Http;

public static class ApiConventions
{
    public static void AddApiConventions(this WebApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
        {
            c.ProblemDetails.Extensions.Remove("exception");
            c.ProblemDetails.Title ??= StatusTitle(c.ProblemDetails.Status ?? 500);
        });
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.MaxDepth = 16);

        // Unreadable bodies become a 400 problem (written by the status-code pages), not a logged exception.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = false);
    }

    /// <summary>
    /// Unhandled errors and bare status codes on /api become German problem details; portal pages get a friendly page.
    /// Malformed or oversized request bodies are the client's fault (400/413), never a 500.
    /// </summary>
    public static void UseApiExceptionHandling(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = ex => ex is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
            ExceptionHandler = async context =>
            {
                var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
                var status = error is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError;
                context.Response.StatusCode = status;
                if (context.Request.Path.StartsWithSegments("/api"))
                {
                    await Problems.Write(context, status, StatusTitle(status));
                }
                else
                {
                    context.Response.ContentType = "text/plain; charset=utf-8";
                    await context.Response.WriteAsync(StatusTitle(status));
                }
            },
        });

        app.UseStatusCodePages(async context =>
        {
            var http = context.HttpContext;
            if (http.Request.Path.StartsWithSegments("/api") && http.Response.ContentLength is null && !http.Response.HasStarted)
            {
                await Problems.Write(http, http.Response.StatusCode, StatusTitle(http.Response.StatusCode));
            }
            else if (http.Response.StatusCode == StatusCodes.Status404NotFound)
            {
                http.Response.Redirect("/not-found");
            }
        });
    }

    public static string StatusTitle(int status) => status switch
    {
        400 => Texts.Get("Problem.BadRequest"),
        401 => Texts.Get("Problem.Unauthorized"),
        403 => Texts.Get("Problem.Forbidden"),
        404 => Texts.Get("Problem.NotFound"),
        405 => Texts.Get("Problem.MethodNotAllowed"),
        409 => Texts.Get("Problem.Conflict"),
        413 => Texts.Get("Problem.TooLarge"),
        415 => Texts.Get("Problem.UnsupportedMediaType"),
        429 => Texts.Get("Problem.TooManyRequests"),
        503 => Texts.Get("Problem.Unavailable"),
        _ => Texts.Get("Error.Unexpected"),
    };
}
