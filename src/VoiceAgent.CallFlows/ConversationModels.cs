using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;
using VoiceAgent.Activities.Ports;
using VoiceAgent.Platform.Security;
using VoiceAgent.Platform.Speech;

namespace VoiceAgent.CallFlows;

/// <summary>The conversational model for a run: OpenAI when the super-admin stored a key, the German rules otherwise
/// (and as OpenAI's fallback).</summary>
public sealed class ConversationModels(SettingsStore settings, IOptions<OpenAiOptions> options, ILoggerFactory loggers, TimeProvider time)
{
    public async Task<IConversationModel> ForAsync(DateTimeZone zone, CancellationToken ct)
    {
        var rules = new RuleBasedConversationModel(text => NluUnderstanding.IntentOf(text, zone, time));
        var key = await settings.GetAsync(OpenAiOptions.ApiKeySetting, ct);
        return string.IsNullOrWhiteSpace(key)
            ? rules
            : new OpenAiConversationModel(options.Value with { ApiKey = key }, rules, loggers.CreateLogger<OpenAiConversationModel>(), time);
    }
}
