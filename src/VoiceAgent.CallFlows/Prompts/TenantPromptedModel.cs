using VoiceAgent.Activities.Ports;

namespace VoiceAgent.CallFlows.Prompts;

/// <summary>
/// Puts the tenant's rendered system prompt in front of the Ask node's own prompt. The prompt is read on the first turn
/// that asks the model (most turns do not), then kept for the run.
/// </summary>
internal sealed class TenantPromptedModel(IConversationModel inner, Func<CancellationToken, Task<string?>> tenantPrompt) : IStreamingConversationModel
{
    private string? prompt;
    private bool loaded;

    public async ValueTask<ConversationReply> AskAsync(ConversationRequest request, CancellationToken cancellationToken) =>
        await inner.AskAsync(await PromptedAsync(request, cancellationToken), cancellationToken);

    public async ValueTask<ConversationReply> StreamAsync(ConversationRequest request, Func<string, ValueTask> speak, CancellationToken interrupted,
        CancellationToken cancellationToken) =>
        await inner.StreamOrAskAsync(await PromptedAsync(request, cancellationToken), speak, interrupted, cancellationToken);

    private async ValueTask<ConversationRequest> PromptedAsync(ConversationRequest request, CancellationToken cancellationToken)
    {
        if (!loaded)
        {
            prompt = await tenantPrompt(cancellationToken);
            loaded = true;
        }

        return string.IsNullOrWhiteSpace(prompt) ? request : request with { SystemPrompt = Combine(prompt, request.SystemPrompt) };
    }

    internal static string Combine(string tenantPrompt, string nodePrompt) =>
        string.IsNullOrWhiteSpace(nodePrompt) ? tenantPrompt.TrimEnd() : tenantPrompt.TrimEnd() + "\n\n" + nodePrompt.Trim();
}
