using VoiceAgent.Activities.Ports;

using VoiceAgent.Platform.Speech;

namespace VoiceAgent.CallFlows;

/// <summary>The offline conversation model: it only classifies the caller's last words and says nothing itself,
/// so the flow's next activity does the talking.</summary>
/// <param name="classifyIntent">Maps one German utterance to an intent name ("book_appointment"); the composition
/// root passes the rule-based German NLU.</param>
public sealed class RuleBasedConversationModel(Func<string, string> classifyIntent) : IConversationModel
{
    public ValueTask<ConversationReply> AskAsync(ConversationRequest request, CancellationToken cancellationToken)
    {
        var lastUserLine = request.Transcript.LastOrDefault(t => t.Role == "user" && !string.IsNullOrWhiteSpace(t.Text)).Text;
        var intent = lastUserLine is null ? Intents.Unknown : classifyIntent(lastUserLine);
        return ValueTask.FromResult(new ConversationReply(null, Allowed(request.Intents, intent)));
    }

    /// <summary>The requested intent spelled as the flow spelled it (flows compare ordinally), or "unknown".</summary>
    internal static string Allowed(IReadOnlyList<string> intents, string? intent) =>
        intents.FirstOrDefault(i => string.Equals(i, intent?.Trim(), StringComparison.OrdinalIgnoreCase)) ?? Intents.Unknown;
}
