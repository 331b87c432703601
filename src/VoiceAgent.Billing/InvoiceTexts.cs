using System.Globalization;
using NodaTime;

namespace VoiceAgent.Billing;

/// <summary>
/// Texts that end up on the invoice. The operator issues German invoices, so these do not follow the UI language
/// (error messages do, see <see cref="BillingTexts"/>).
/// </summary>
public sealed class InvoiceTexts
{
    // Not static: the type names the resource set for IStringLocalizer<InvoiceTexts> in pages.
    private InvoiceTexts()
    {
    }

    public const string ReverseChargeNote = "Steuerschuldnerschaft des Leistungsempfängers (Reverse Charge, § 13b UStG)";
    public const string NotTaxableNote = "Nicht im Inland steuerbare Leistung";
    public const string BotOverage = "Bot-Minuten über Inklusivvolumen";
    public const string ForwardOverage = "Weiterleitungsminuten über Inklusivvolumen";

    public static string Date(LocalDate date) => date.ToString("dd'.'MM'.'uuuu", CultureInfo.InvariantCulture);

    public static string BaseFee(BillingPeriod period, BaseFeeProration proration, LocalDate? startDate) =>
        proration.DaysActive == proration.DaysInMonth
            ? $"Grundgebühr {period.Display}"
            : $"Grundgebühr {period.Display} (anteilig {proration.DaysActive}/{proration.DaysInMonth} Tage ab {Date(startDate!.Value)})";

    public static string PackageMinutes(LocalDate validUntil) => $"Bot-Minuten aus Minutenpaket (gültig bis {Date(validUntil)})";
}
