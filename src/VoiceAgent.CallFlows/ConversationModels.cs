using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;
using VoiceAgent.Activities.Ports;
using VoiceAgent.CallFlows.Prompts;
using VoiceAgent.Platform.Security;
using VoiceAgent.Platform.Speech;

namespace VoiceAgent.CallFlows;

/// <summary>The conversational model for a run: OpenAI when the super-admin stored a key, the German rules otherwise
/// (and as OpenAI's fallback). The OpenAI model is told the tenant's system prompt first, then the Ask node's.</summary>
public sealed class ConversationModels(SettingsStore settings, IOptions<OpenAiOptions> options, ILoggerFactory loggers, TimeProvider time)
{
    /// <param name="tenantPrompt">The tenant's rendered system prompt (null when none is stored), read when the model is first asked.</param>
    public async Task<IConversationModel> ForAsync(DateTimeZone zone, Func<CancellationToken, Task<string?>>? tenantPrompt, CancellationToken ct)
    {
        var rules = new RuleBasedConversationModel(text => NluUnderstanding.IntentOf(text, zone, time));
        var key = await settings.GetAsync(OpenAiOptions.ApiKeySetting, ct);
        return string.IsNullOrWhiteSpace(key)
            ? rules
            : WithTenantPrompt(new OpenAiConversationModel(options.Value with { ApiKey = key }, rules, loggers.CreateLogger<OpenAiConversationModel>(), time));

        // The rules ignore prompts: only the language model is worth the read.
        IConversationModel WithTenantPrompt(IConversationModel model) => tenantPrompt is null ? model : new TenantPromptedModel(model, tenantPrompt);
    }
}
