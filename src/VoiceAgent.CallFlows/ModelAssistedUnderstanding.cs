using VoiceAgent.Activities.Ports;

namespace VoiceAgent.CallFlows;

/// <summary>
/// Listen's understanding when a language model is configured: the offline German NLU first (fast, and exact for dates,
/// times, digits and yes/no); only when it finds nothing at all is the model asked which of the known intents the caller
/// meant — with the tenant's system prompt in front (<see cref="Prompts.TenantPromptedModel"/>), so "Ich hätte gern
/// einen Haarschnitt" counts as a booking for a salon. The model's own fallback is the same rules, so a model that fails
/// or times out leaves the answer at "unknown", as without a model.
/// </summary>
public sealed class ModelAssistedUnderstanding(ILanguageUnderstanding rules, IConversationModel model) : ILanguageUnderstanding
{
    /// <summary>What the model may answer: the intents Listen's outcomes know (yes/no stay with the rules).</summary>
    internal static readonly IReadOnlyList<string> ModelIntents =
    [
        Intents.BookAppointment, Intents.QueryAppointments, Intents.CancelAppointment, Intents.Human, Intents.Repeat, Intents.Goodbye,
        Intents.Unknown,
    ];

    internal const string Instruction =
        "Ordne die letzte Äußerung des Anrufers einem Anliegen zu. Antworte nicht mit Text, rufe nur das Werkzeug auf.";

    public async ValueTask<Understanding> UnderstandAsync(string text, CancellationToken cancellationToken)
    {
        var understood = await rules.UnderstandAsync(text, cancellationToken);
        // Anything the rules recognised (an intent, yes/no, a date, a time, digits) is theirs: the model adds only latency there.
        if (understood is not { Intent: Intents.Unknown, YesNo: null, Date: null, Time: null, PartOfDay: null, Digits: null }
            || string.IsNullOrWhiteSpace(text))
        {
            return understood;
        }

        var reply = await model.AskAsync(new ConversationRequest(Instruction, [("user", text)], ModelIntents), cancellationToken);
        return understood with { Intent = ModelIntents.Contains(reply.Intent) ? reply.Intent : Intents.Unknown };
    }
}
