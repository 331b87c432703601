namespace VoiceAgent.Flows.Descriptors;

/// <summary>Marks a class as a flow activity and describes it for the designer (German first, English second).</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ActivityAttribute(string type, string category, string displayNameDe, string displayNameEn) : Attribute
{
    public string Type { get; } = type;
    public string Category { get; } = category;
    public string DisplayNameDe { get; } = displayNameDe;
    public string DisplayNameEn { get; } = displayNameEn;
    public string DescriptionDe { get; init; } = "";
    public string DescriptionEn { get; init; } = "";

    /// <summary>The activity can suspend the run (wait for a stimulus such as an answer or a timer).</summary>
    public bool Waits { get; init; }

    /// <summary>Name of a list input whose entries are additional outcomes (e.g. Ask's intents).</summary>
    public string? OutcomesFromInput { get; init; }
}

/// <summary>A named outcome of the activity, in the order the designer shows the ports.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class OutcomeAttribute(string name, string displayNameDe, string displayNameEn) : Attribute
{
    public string Name { get; } = name;
    public string DisplayNameDe { get; } = displayNameDe;
    public string DisplayNameEn { get; } = displayNameEn;
}

/// <summary>An input of the activity, bound from the node's <c>inputs</c> (name = camelCase of the property).</summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class InputAttribute(string displayNameDe, string displayNameEn) : Attribute
{
    public string DisplayNameDe { get; } = displayNameDe;
    public string DisplayNameEn { get; } = displayNameEn;
    public string DescriptionDe { get; init; } = "";
    public string DescriptionEn { get; init; } = "";
    public string UiHint { get; init; } = UiHints.SingleLine;
    public bool Required { get; init; }

    /// <summary>How the value is interpreted: a literal, a text template, or an expression.</summary>
    public InputSyntax Syntax { get; init; } = InputSyntax.Literal;

    /// <summary>Allowed values (choice inputs).</summary>
    public string[]? Options { get; init; }
}

public enum InputSyntax
{
    Literal,
    Template,
    Expression,
}

/// <summary>Property editors in the designer, chosen by UI hint (one editor per hint). Hints that only one module's
/// activities use live with those activities (e.g. the transfer target next to Transfer).</summary>
public static class UiHints
{
    public const string SingleLine = "single-line";
    public const string Template = "text-template";
    public const string MultiLine = "multi-line";
    public const string Expression = "expression";
    public const string Number = "number";
    public const string Duration = "duration";
    public const string Toggle = "toggle";
    public const string Choice = "choice";
    public const string BusinessHours = "business-hours";
    public const string VoicePicker = "voice-picker";
    public const string CalendarPicker = "calendar-picker";
    public const string IntentList = "intent-list";
    public const string Url = "url";
    public const string VariableName = "variable-name";
}
