using System.Text.Json.Nodes;

namespace VoiceAgent.Activities.Ports;

/// <summary>A conversational model turn (OpenAI when configured; the rule-based NLU otherwise).</summary>
public interface IConversationModel
{
    ValueTask<ConversationReply> AskAsync(ConversationRequest request, CancellationToken cancellationToken);
}

/// <summary>
/// A model that streams its answer: each phrase is handed to <paramref name="speak"/> as soon as it is complete, so the
/// first sentence is already being spoken while the model still writes the rest. When <paramref name="interrupted"/>
/// fires (the caller spoke over the agent) the model stops reading and returns what was spoken so far with the intent
/// its fallback finds; the reply's text is always exactly what was handed to <paramref name="speak"/>.
/// </summary>
public interface IStreamingConversationModel : IConversationModel
{
    ValueTask<ConversationReply> StreamAsync(ConversationRequest request, Func<string, ValueTask> speak, CancellationToken interrupted,
        CancellationToken cancellationToken);
}

public static class ConversationModelExtensions
{
    /// <summary>Streams where the model can; otherwise asks and speaks the whole reply at once.</summary>
    public static async ValueTask<ConversationReply> StreamOrAskAsync(this IConversationModel model, ConversationRequest request,
        Func<string, ValueTask> speak, CancellationToken interrupted, CancellationToken cancellationToken)
    {
        if (model is IStreamingConversationModel streaming)
        {
            return await streaming.StreamAsync(request, speak, interrupted, cancellationToken);
        }

        var reply = await model.AskAsync(request, cancellationToken);
        if (!string.IsNullOrWhiteSpace(reply.Text))
        {
            await speak(reply.Text);
        }

        return reply;
    }
}

public sealed record ConversationRequest(string SystemPrompt, IReadOnlyList<(string Role, string Text)> Transcript, IReadOnlyList<string> Intents);

/// <summary>What to say (may be empty) and the detected intent (one of the requested ones, or "unknown").</summary>
public sealed record ConversationReply(string? Text, string Intent);

/// <summary>Where calls may be transferred: only numbers on the tenant's allow-list.</summary>
public interface ITransferTargets
{
    ValueTask<bool> IsAllowedAsync(string target, CancellationToken cancellationToken);

    /// <summary>The number a human answers on, when someone is reachable now; null outside opening hours or when none is set.</summary>
    ValueTask<string?> ReachableHandoffTargetAsync(CancellationToken cancellationToken);
}

/// <summary>Leaves a message for the business (e-mailed to the tenant with a summary of the call).</summary>
public interface IMessageBox
{
    ValueTask LeaveMessageAsync(CallerMessage message, CancellationToken cancellationToken);
}

public sealed record CallerMessage(string? CallerNumber, string Message, string Summary);

/// <summary>POSTs JSON to a tenant's webhook (https only, no private addresses).</summary>
public interface IWebhookClient
{
    ValueTask<WebhookResponse> PostJsonAsync(Uri url, JsonNode payload, TimeSpan timeout, CancellationToken cancellationToken);
}

public sealed record WebhookResponse(int StatusCode, JsonNode? Body);
