using VoiceAgent.Activities.Calls;
using VoiceAgent.Activities.Ports;
using VoiceAgent.Flows.Descriptors;
using VoiceAgent.Flows.Runtime;

namespace VoiceAgent.Activities.Dialog;

/// <summary>
/// Waits for the caller (a bookmark, no thread held), understands the answer and stores it in variables
/// (lastInput, intent, date, time, partOfDay, answer, digits). Re-prompts up to <see cref="MaxRetries"/> times.
/// </summary>
[Activity("Listen", "Dialog", "Zuhören", "Listen", Waits = true,
    DescriptionDe = "Wartet auf die Antwort des Anrufers und versteht sie.", DescriptionEn = "Waits for the caller's answer and understands it.")]
[Outcome(Outcomes.Recognized, "Verstanden", "Recognized")]
[Outcome(Outcomes.NoInput, "Keine Antwort", "No input")]
[Outcome(Outcomes.NoMatch, "Nicht verstanden", "No match")]
public sealed class Listen : Activity
{
    public const string FreeText = "text";
    public const string YesNo = "yesno";
    public const string DateTime = "datetime";
    public const string Digits = "digits";
    public const string Intent = "intent";

    [Input("Erwartung", "Expectation", UiHint = UiHints.Choice, Options = [Intent, YesNo, DateTime, Digits, FreeText])]
    public string Expectation { get; set; } = Intent;

    [Input("Wartezeit (Sekunden)", "Timeout (seconds)", UiHint = UiHints.Duration)]
    public int TimeoutSeconds { get; set; } = 6;

    [Input("Wiederholungen", "Retries", UiHint = UiHints.Number)]
    public int MaxRetries { get; set; } = 2;

    [Input("Nachfrage bei Unverständnis", "Re-prompt when not understood", UiHint = UiHints.Template, Syntax = InputSyntax.Template)]
    public string Reprompt { get; set; } = "Entschuldigung, das habe ich nicht verstanden. Können Sie das bitte noch einmal sagen?";

    [Input("Nachfrage bei Stille", "Re-prompt on silence", UiHint = UiHints.Template, Syntax = InputSyntax.Template)]
    public string SilencePrompt { get; set; } = "Sind Sie noch da? Ich habe Sie leider nicht gehört.";

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context) =>
        ValueTask.FromResult(context.Suspend(BookmarkKinds.CallerInput, TimeoutSeconds));

    public override async ValueTask<ActivityResult> ResumeAsync(ActivityContext context, Stimulus stimulus)
    {
        var text = (stimulus as CallerInput)?.Text.Trim() ?? "";
        if (text.Length == 0)
        {
            return await RetryOrAsync(context, SilencePrompt, Outcomes.NoInput);
        }

        var understood = await context.Port<ILanguageUnderstanding>().UnderstandAsync(text, context.CancellationToken);
        context.Set(Variables.LastInput, text);
        context.Set(Variables.Intent, understood.Intent);
        context.Set(Variables.Date, understood.Date);
        context.Set(Variables.Time, understood.Time);
        context.Set(Variables.PartOfDay, understood.PartOfDay);
        context.Set(Variables.Digits, understood.Digits);
        context.Set(Variables.Answer, understood.YesNo is { } yes ? System.Text.Json.Nodes.JsonValue.Create(yes) : null);

        var matched = Expectation switch
        {
            YesNo => understood.YesNo is not null,
            DateTime => understood.Date is not null || understood.Time is not null || understood.PartOfDay is not null,
            Digits => understood.Digits is not null,
            Intent => understood.Intent != Intents.Unknown,
            _ => true,
        };
        return matched ? Outcome(Outcomes.Recognized) : await RetryOrAsync(context, Reprompt, Outcomes.NoMatch);
    }

    private async ValueTask<ActivityResult> RetryOrAsync(ActivityContext context, string prompt, string outcome)
    {
        if (context.Increment("retries") > MaxRetries)
        {
            return Outcome(outcome);
        }

        await context.SayAsync(prompt);
        return context.Suspend(BookmarkKinds.CallerInput, TimeoutSeconds);
    }
}
