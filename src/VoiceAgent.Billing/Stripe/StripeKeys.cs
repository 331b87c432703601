namespace VoiceAgent.Billing.Stripe;

/// <summary>Which Stripe credential goes where, by prefix: secret or restricted keys on the server, publishable keys in the browser.</summary>
public static class StripeKeys
{
    public const string SecretKeySetting = "stripe.secret_key";
    public const string WebhookSecretSetting = "stripe.webhook_secret";

    public static bool IsServerKey(string value) =>
        value.StartsWith("sk_test_", StringComparison.Ordinal) || value.StartsWith("sk_live_", StringComparison.Ordinal)
        || value.StartsWith("rk_test_", StringComparison.Ordinal) || value.StartsWith("rk_live_", StringComparison.Ordinal);

    public static bool IsPublishableKey(string value) =>
        value.StartsWith("pk_test_", StringComparison.Ordinal) || value.StartsWith("pk_live_", StringComparison.Ordinal);

    /// <summary>A German explanation when <paramref name="value"/> cannot be the setting <paramref name="settingKey"/>; null when fine.</summary>
    public static string? Problem(string settingKey, string value) => settingKey switch
    {
        SecretKeySetting when IsPublishableKey(value) =>
            "Das ist der veröffentlichbare Schlüssel (pk_…). Hier gehört der geheime Schlüssel hin: sk_… oder ein eingeschränkter rk_….",
        SecretKeySetting when !IsServerKey(value) => "Ein geheimer Stripe-Schlüssel beginnt mit sk_test_, sk_live_, rk_test_ oder rk_live_.",
        WebhookSecretSetting when !value.StartsWith("whsec_", StringComparison.Ordinal) =>
            "Das Signaturgeheimnis eines Stripe-Webhooks beginnt mit whsec_.",
        _ => null,
    };
}
