using Microsoft.Extensions.Options;
using VoiceAgent.Platform.Ports;
using VoiceAgent.Platform.Security;
using VoiceAgent.Platform.Speech;
using VoiceAgent.Telephony.Speech;

namespace VoiceAgent.Telephony;

/// <summary>
/// Speech engines, chosen when a call (or a test-console session) starts: the tenant's choice from wizard step 2
/// (<see cref="TenantSpeechSettings"/>); audio that belongs to no tenant uses the platform default — OpenAI when the
/// super-admin stored a key, otherwise no recognition (calls then use gather mode) and espeak-ng. Audio is cached per process.
/// </summary>
public sealed class RealtimeSpeech(SettingsStore settings, IOptions<OpenAiOptions> options, TextToSpeechCache cache, ILoggerFactory loggers,
    TimeProvider time, TenantSpeechSettings tenants) : ISpeechEngines
{
    public async Task<(ISpeechToText? Stt, ITextToSpeech Tts)> GetAsync(CancellationToken ct)
    {
        var key = await settings.GetAsync(OpenAiOptions.ApiKeySetting, ct);
        return SpeechEngines.Select(options.Value with { ApiKey = key }, cache, loggers, time);
    }

    public Task<(ISpeechToText? Stt, ITextToSpeech Tts)> GetAsync(Guid tenantId, CancellationToken ct) => tenants.EnginesAsync(tenantId, ct);

    /// <summary>The tenant's engines for a realtime call: with streaming recognition where its engine offers it.</summary>
    public Task<CallSpeechEngines> CallEnginesAsync(Guid tenantId, CancellationToken ct) => tenants.CallEnginesAsync(tenantId, ct);

    /// <summary>The voices of the tenant's engine (espeak-ng's when its engine has no credentials).</summary>
    public Task<IReadOnlyList<Choice>> VoicesAsync(Guid tenantId, CancellationToken ct) => tenants.VoicesAsync(tenantId, ct);
}
