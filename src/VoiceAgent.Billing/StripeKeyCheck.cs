using VoiceAgent.Billing.Stripe;
using VoiceAgent.Platform.Security;

namespace VoiceAgent.Billing;

/// <summary>
/// At start-up: a stored Stripe credential with the wrong prefix (a publishable key as secret key, an API key as webhook
/// secret) is reported in the log right away. Saving checks the prefix too; this catches values stored before that check
/// or written to the database by hand. The publishable key option is checked by options validation.
/// </summary>
public sealed class StripeKeyCheck(IServiceScopeFactory scopes, ILogger<StripeKeyCheck> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var settings = scope.ServiceProvider.GetRequiredService<SettingsStore>();
            foreach (var key in new[] { StripeKeys.SecretKeySetting, StripeKeys.WebhookSecretSetting })
            {
                if (await settings.GetAsync(key, cancellationToken) is { Length: > 0 } value && StripeKeys.Problem(key, value) is not null)
                {
                    logger.LogError("Provider setting {Setting} has the wrong kind of Stripe key ({Hint}); payments will not work until it is replaced.",
                        key, SecretHint.For(value));
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Only a diagnosis: start-up goes on (the database may not be up yet; health reports it).
            logger.LogWarning("Stripe key check skipped: {Message}", ex.Message);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
