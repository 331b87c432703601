using System.Globalization;

namespace VoiceAgent.Billing;

/// <summary>How amounts, quantities and dates look on a German invoice (whatever the UI language is).</summary>
public static class GermanFormat
{
    private static readonly CultureInfo German = CultureInfo.GetCultureInfo("de-DE");

    /// <summary>1234567 → "12.345,67 €"; negative amounts (Storno) keep their sign.</summary>
    public static string Euro(long cents) => (cents / 100m).ToString("#,##0.00", German) + " €";

    /// <summary>Unit prices may have fractional cents: 1.5 ct → "0,015 €", 12 ct → "0,12 €".</summary>
    public static string UnitPrice(decimal cents)
    {
        var euros = cents / 100m;
        return euros.ToString(euros == Math.Round(euros, 2) ? "#,##0.00" : "#,##0.00####", German) + " €";
    }

    /// <summary>Up to 4 decimals, no trailing zeros: 15 → "15", 1.0167 → "1,0167".</summary>
    public static string Quantity(decimal value) => value.ToString("#,##0.####", German);

    public static string Percent(decimal rate) => rate.ToString("0.##", German) + " %";

    public static string Date(DateOnly date) => date.ToString("dd.MM.yyyy", CultureInfo.InvariantCulture);
}
