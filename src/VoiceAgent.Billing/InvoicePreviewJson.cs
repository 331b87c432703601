using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using NodaTime.Text;

namespace VoiceAgent.Billing;

/// <summary>
/// The JSON of <c>voiceagent billing preview</c>: the contract fields (lines, netCents, taxRatePercent, taxCents, grossCents)
/// first, then the figures that explain them. Minutes are rounded to 4 decimals for display; numbers carry no trailing zeros.
/// </summary>
public static class InvoicePreviewJson
{
    public static string Serialize(InvoicePreview preview)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteStartArray("lines");
            foreach (var line in preview.Lines)
            {
                json.WriteStartObject();
                json.WriteString("description", line.Description);
                json.WriteNumber("quantity", Plain(line.Quantity));
                json.WriteNumber("unitPriceCents", Plain(line.UnitPriceCents));
                json.WriteNumber("amountCents", line.AmountCents);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteNumber("netCents", preview.NetCents);
            json.WriteNumber("taxRatePercent", Plain(preview.Tax.RatePercent));
            json.WriteNumber("taxCents", preview.TaxCents);
            json.WriteNumber("grossCents", preview.GrossCents);
            json.WriteString("taxRule", TaxRuleName(preview.Tax.Rule));
            json.WriteString("taxNote", preview.Tax.Note);
            json.WriteString("period", preview.Period.ToString());

            json.WriteStartObject("baseFee");
            json.WriteNumber("fullCents", preview.BaseFee.FullCents);
            json.WriteNumber("daysActive", preview.BaseFee.DaysActive);
            json.WriteNumber("daysInMonth", preview.BaseFee.DaysInMonth);
            json.WriteNumber("amountCents", preview.BaseFee.AmountCents);
            json.WriteEndObject();

            json.WriteStartObject("usage");
            Usage(json, "bot", preview.Bot);
            Usage(json, "forward", preview.Forward);
            json.WriteNumber("ignoredRecords", preview.IgnoredUsageRecords);
            json.WriteEndObject();

            json.WriteStartArray("packages");
            foreach (var package in preview.Packages)
            {
                json.WriteStartObject();
                json.WriteNumber("index", package.Index);
                json.WriteNumber("minutes", Plain(package.Minutes));
                json.WriteString("validUntil", LocalDatePattern.Iso.Format(package.ValidUntil));
                json.WriteBoolean("counted", package.Counted);
                json.WriteNumber("remainingMinutesBefore", Plain(package.RemainingMinutesBefore));
                json.WriteNumber("consumedMinutes", Plain(Money.Minutes(package.ConsumedSeconds)));
                json.WriteNumber("consumedSeconds", Plain(package.ConsumedSeconds));
                json.WriteNumber("remainingMinutesAfter", Plain(Math.Round(package.RemainingMinutesAfter, 4, MidpointRounding.AwayFromZero)));
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public static string TaxRuleName(TaxRule rule) => rule switch
    {
        TaxRule.Domestic => "domestic",
        TaxRule.ReverseCharge => "reverse_charge",
        TaxRule.EuWithoutVatId => "eu_without_vat_id",
        TaxRule.EuInvalidVatId => "eu_invalid_vat_id",
        TaxRule.NotTaxableInGermany => "not_taxable_in_germany",
        _ => throw new ArgumentOutOfRangeException(nameof(rule)),
    };

    private static void Usage(Utf8JsonWriter json, string name, UsageSummary usage)
    {
        json.WriteStartObject(name);
        json.WriteNumber("records", usage.Records);
        json.WriteNumber("seconds", usage.RawSeconds);
        json.WriteNumber("billedMinutes", Plain(Money.Minutes(usage.BilledSeconds)));
        json.WriteNumber("includedMinutes", Plain(Money.Minutes(usage.IncludedSeconds)));
        json.WriteNumber("packageMinutes", Plain(Money.Minutes(usage.PackageSeconds)));
        json.WriteNumber("overageMinutes", Plain(Money.Minutes(usage.OverageSeconds)));
        json.WriteEndObject();
    }

    // 12.5000m would be written as 12.5000; dividing by 1.000… keeps the value and drops the trailing zeros.
    private static decimal Plain(decimal value) => value / 1.0000000000000000000000000000m;
}
