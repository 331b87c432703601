using System.ComponentModel.DataAnnotations;

namespace VoiceAgent.Billing.Stripe;

/// <summary>
/// The secret key (<c>stripe.secret_key</c>, <c>sk_…</c> or restricted <c>rk_…</c>) and the webhook signing secret
/// (<c>stripe.webhook_secret</c>, <c>whsec_…</c>) are provider settings, encrypted at rest and never sent to a browser.
/// </summary>
public sealed class StripeOptions
{
    public const string Section = "Stripe";

    [Required]
    public Uri ApiBaseUrl { get; set; } = new("https://api.stripe.com");

    /// <summary>Only for Stripe.js in the browser (the Checkout redirect needs none); checked at start-up to be a pk_ key.</summary>
    [RegularExpression("^pk_(test|live)_[A-Za-z0-9]+$", ErrorMessage = "Stripe:PublishableKey must be a publishable key (pk_test_… or pk_live_…).")]
    public string? PublishableKey { get; set; }

    [Range(typeof(TimeSpan), "00:00:01", "00:02:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How far a webhook's signed timestamp may be from now (Stripe's libraries use 300 s).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan WebhookTolerance { get; set; } = TimeSpan.FromSeconds(300);
}
