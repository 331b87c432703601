using VoiceAgent.Activities.Calls;
using VoiceAgent.Activities.Ports;
using VoiceAgent.Flows.Descriptors;
using VoiceAgent.Flows.Runtime;

namespace VoiceAgent.Activities.Dialog;

/// <summary>One turn with the conversational model: it answers the caller's last words and detects the intent,
/// which becomes the outcome.</summary>
[Activity("Ask", "Dialog", "KI fragen", "Ask the AI", OutcomesFromInput = "intents",
    DescriptionDe = "Lässt die KI auf die letzte Äußerung antworten; der Ausgang ist das erkannte Anliegen.",
    DescriptionEn = "Lets the AI answer the caller's last words; the outcome is the detected intent.")]
[Outcome(Outcomes.Unknown, "Unklar", "Unknown")]
[Outcome(Outcomes.Failed, "Fehler", "Failed")]
public sealed class Ask : Activity
{
    [Input("Anweisung an die KI", "System prompt", UiHint = UiHints.MultiLine, Syntax = InputSyntax.Template)]
    public string SystemPrompt { get; set; } =
        "Du bist der freundliche Telefonassistent des Unternehmens. Antworte kurz, höflich und auf Deutsch.";

    [Input("Anliegen", "Intents", UiHint = UiHints.IntentList, Required = true)]
    public string[] Intents { get; set; } = [Ports.Intents.BookAppointment, Ports.Intents.QueryAppointments, Ports.Intents.Human];

    public override async ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        var transcript = context.Instance.Transcript.TakeLast(20)
            .Select(t => (t.Role == TranscriptRole.Caller ? "user" : "assistant", t.Text)).ToList();
        var channel = context.Channel;
        var request = new ConversationRequest(SystemPrompt, transcript, Intents);
        var model = context.Port<IConversationModel>();
        ConversationReply reply;
        if (channel.SpeaksLive)
        {
            // Phrase by phrase as the model writes (the caller hears the first sentence while the rest is generated).
            reply = await model.StreamOrAskAsync(request, phrase => channel.SayAsync(phrase, default, context.CancellationToken),
                channel.Interrupted, context.CancellationToken);
        }
        else
        {
            reply = await model.AskAsync(request, context.CancellationToken);
            if (!string.IsNullOrWhiteSpace(reply.Text))
            {
                await channel.SayAsync(reply.Text, default, context.CancellationToken);
            }
        }

        context.Set(Variables.Reply, reply.Text);
        context.Set(Variables.Intent, reply.Intent);
        if (!string.IsNullOrWhiteSpace(reply.Text))
        {
            context.Transcribe(TranscriptRole.Agent, reply.Text);
        }

        return Outcome(Intents.Contains(reply.Intent) ? reply.Intent : Outcomes.Unknown);
    }
}
