using System.Globalization;

namespace VoiceAgent.Billing.Pages;

/// <summary>
/// Prices as typed on the plans page. Amounts are text read with either decimal separator, whatever the UI language
/// ("49,90" or "49.90").
/// </summary>
public class PriceForm
{
    public string? BaseFeeEuro { get; set; } = "0";
    public int IncludedBotMinutes { get; set; }
    public int IncludedForwardMinutes { get; set; }
    public string? BotRateCents { get; set; } = "0";
    public string? ForwardRateCents { get; set; } = "0";
    public string Increment { get; set; } = Increments.Minute;

    public PlanPrices ToPrices() => new(Cents(Amount(BaseFeeEuro)), IncludedBotMinutes, IncludedForwardMinutes, Amount(BotRateCents),
        Amount(ForwardRateCents), Increment);

    public static bool TryAmount(string? text, out decimal value) =>
        decimal.TryParse((text ?? "").Trim().Replace(',', '.'), NumberStyles.Number, CultureInfo.InvariantCulture, out value) && value >= 0;

    /// <summary>An amount the form already validated with <see cref="TryAmount"/>.</summary>
    public static decimal Amount(string? text) =>
        TryAmount(text, out var value) ? value : throw new FormatException("The amount was not validated before use.");

    public static long Cents(decimal euro) => (long)Math.Round(euro * 100m, MidpointRounding.AwayFromZero);
}
