namespace VoiceAgent.Platform.Security;

/// <summary>The provider credentials the settings store knows, grouped by provider (later issues use them).</summary>
public static class ProviderKeys
{
    public sealed record Definition(string Key, string Provider, string LabelKey, bool Secret);

    public static readonly IReadOnlyList<Definition> All =
    [
        new("twilio.account_sid", "twilio", "Settings.TwilioAccountSid", false),
        new("twilio.auth_token", "twilio", "Settings.TwilioAuthToken", true),
        new("sipgate.token_id", "sipgate", "Settings.SipgateTokenId", false),
        new("sipgate.token", "sipgate", "Settings.SipgateToken", true),
        new("openai.api_key", "openai", "Settings.OpenAiApiKey", true),
        new("googlecloud.service_account", "googlecloud", "Settings.GoogleCloudServiceAccount", true),
        new("stripe.secret_key", "stripe", "Settings.StripeSecretKey", true),
        new("stripe.webhook_secret", "stripe", "Settings.StripeWebhookSecret", true),
        new("lexoffice.api_key", "lexoffice", "Settings.LexofficeApiKey", true),
        new("google.client_id", "google", "Settings.GoogleClientId", false),
        new("google.client_secret", "google", "Settings.GoogleClientSecret", true),
        new("microsoft.client_id", "microsoft", "Settings.MicrosoftClientId", false),
        new("microsoft.client_secret", "microsoft", "Settings.MicrosoftClientSecret", true),
    ];

    public static IEnumerable<string> Providers => All.Select(d => d.Provider).Distinct();

    public static Definition? Find(string key) => All.FirstOrDefault(d => d.Key == key);
}
