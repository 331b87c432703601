namespace VoiceAgent.Platform.Tenancy;

public enum OutcomeKind
{
    Ok,
    NotFound,
    Invalid,
    Conflict,
}

/// <summary>Result of a business operation: the value, or why not (field errors in German, or a conflict message).</summary>
public sealed record Outcome<T>(OutcomeKind Kind, T? Value = default, IReadOnlyDictionary<string, string[]>? Errors = null, string? Message = null)
{
    public static Outcome<T> Ok(T value) => new(OutcomeKind.Ok, value);

    public static Outcome<T> NotFound() => new(OutcomeKind.NotFound);

    public static Outcome<T> Invalid(IReadOnlyDictionary<string, string[]> errors) => new(OutcomeKind.Invalid, Errors: errors);

    public static Outcome<T> Invalid(string field, string message) =>
        new(OutcomeKind.Invalid, Errors: new Dictionary<string, string[]> { [field] = [message] });

    public static Outcome<T> Conflict(string message) => new(OutcomeKind.Conflict, Message: message);

    /// <summary>A conflict that carries the current state, so the caller can tell the client what it collided with.</summary>
    public static Outcome<T> Conflict(string message, T current) => new(OutcomeKind.Conflict, current, Message: message);
}
