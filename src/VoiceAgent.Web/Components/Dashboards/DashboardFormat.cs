using System.Globalization;

namespace VoiceAgent.Web.Components.Dashboards;

/// <summary>How the dashboards write figures: minutes from metered seconds, euros from cents, in the reader's culture.</summary>
public static class DashboardFormat
{
    /// <summary>Minutes as billing counts them (seconds / 60, exact), shown with one decimal.</summary>
    public static string Minutes(long seconds) => (seconds / 60m).ToString("N1", CultureInfo.CurrentCulture);

    public static double MinutesValue(long seconds) => Math.Round(seconds / 60d, 1);

    public static string Number(long value) => value.ToString("N0", CultureInfo.CurrentCulture);

    public static string Euros(long cents) => string.Format(CultureInfo.CurrentCulture, "{0:N2} €", cents / 100m);

    public static string Percent(double? rate) => rate is { } r ? r.ToString("P0", CultureInfo.CurrentCulture) : "–";

    public static string Day(DateOnly day) => day.ToString("dd.MM.", CultureInfo.CurrentCulture);

    public static string Iso(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
