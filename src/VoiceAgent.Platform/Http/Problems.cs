using Microsoft.AspNetCore.Http.HttpResults;
using VoiceAgent.Platform.Resources;
using VoiceAgent.Platform.Tenancy;

namespace VoiceAgent.Platform.Http;

/// <summary>RFC 7807 problem details with a German (or English) title a user can act on; never a stack trace.</summary>
public static class Problems
{
    public static ProblemHttpResult Status(int statusCode, string title, string? detail = null) =>
        TypedResults.Problem(title: title, detail: detail, statusCode: statusCode);

    public static ValidationProblem Validation(IReadOnlyDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: Texts.Get("Problem.Validation"));

    public static ProblemHttpResult NotFound() => Status(StatusCodes.Status404NotFound, Texts.Get("Problem.NotFound"));

    public static ProblemHttpResult Conflict(string message) => Status(StatusCodes.Status409Conflict, message);

    public static Task Write(HttpContext context, int statusCode, string title) =>
        Status(statusCode, title).ExecuteAsync(context);

    /// <summary>Maps a non-Ok outcome to its problem response.</summary>
    public static IResult From<T>(Outcome<T> outcome) => outcome.Kind switch
    {
        OutcomeKind.NotFound => NotFound(),
        OutcomeKind.Invalid => Validation(outcome.Errors!),
        OutcomeKind.Conflict => Conflict(outcome.Message!),
        _ => throw new InvalidOperationException("An Ok outcome is not a problem."),
    };

    /// <summary>
    /// An outcome as a handler's typed result: Ok → <paramref name="ok"/> of the value, otherwise the same problem
    /// <see cref="From{T}"/> writes (400 with field errors, 404, or 409 with the conflict message).
    /// </summary>
    public static Results<TOk, ProblemHttpResult, ValidationProblem> ToResults<T, TOk>(this Outcome<T> outcome, Func<T, TOk> ok)
        where TOk : IResult =>
        outcome.Kind == OutcomeKind.Ok ? ok(outcome.Value!) : Problem<T, TOk>(outcome);

    /// <inheritdoc cref="ToResults{T, TOk}"/>
    public static async Task<Results<TOk, ProblemHttpResult, ValidationProblem>> ToResultsAsync<T, TOk>(this Outcome<T> outcome,
        Func<T, Task<TOk>> ok) where TOk : IResult =>
        outcome.Kind == OutcomeKind.Ok ? await ok(outcome.Value!) : Problem<T, TOk>(outcome);

    private static Results<TOk, ProblemHttpResult, ValidationProblem> Problem<T, TOk>(Outcome<T> outcome) where TOk : IResult =>
        outcome.Kind switch
        {
            OutcomeKind.NotFound => NotFound(),
            OutcomeKind.Invalid => Validation(outcome.Errors!),
            OutcomeKind.Conflict => Conflict(outcome.Message!),
            _ => throw new InvalidOperationException("An Ok outcome is not a problem."),
        };
}
