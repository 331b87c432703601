using System.ClientModel;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenAI.Models;
using VoiceAgent.Platform.Security;

namespace VoiceAgent.Platform.Speech;

/// <summary>
/// "Verbindung testen" for OpenAI: GET /v1/models/{chat model} with the stored key — proves the key and that it may use
/// the model the agent talks with (404: the key works, but not for that model).
/// </summary>
public sealed class OpenAiConnectionCheck(SettingsStore settings, IOptions<OpenAiOptions> options, ILogger<OpenAiConnectionCheck> logger,
    TimeProvider time) : IProviderConnectionCheck
{
    public string Provider => "openai";

    public async Task<ConnectionCheckResult> CheckAsync(CancellationToken ct)
    {
        var key = await settings.GetAsync(OpenAiOptions.ApiKeySetting, ct);
        if (string.IsNullOrWhiteSpace(key))
        {
            return ConnectionCheckResult.NotConfigured;
        }

        var model = options.Value.ChatModel;
        var client = new OpenAIModelClient(new ApiKeyCredential(key),
            OpenAiCalls.ClientOptions(options.Value, "models", SecretHint.For(key), logger, time));
        try
        {
            await client.GetModelAsync(model, ct);
            return new ConnectionCheckResult(ConnectionState.Ok, model);
        }
        catch (ClientResultException ex) when (ex.Status == 404)
        {
            return new ConnectionCheckResult(ConnectionState.Limited, model);
        }
        catch (ClientResultException ex) when (ex.Status != 0)
        {
            return ProviderConnectionChecks.FromStatus(ex.Status);
        }
        catch (ClientResultException)
        {
            return new ConnectionCheckResult(ConnectionState.Unreachable, "network");
        }
    }
}
