using System.Collections;
using System.Globalization;
using System.Resources;
using NodaTime;
using VoiceAgent.Billing;

namespace VoiceAgent.Platform.Tests.Billing;

public sealed class BillingCaseJsonTests
{
    private const string Valid = """
        {
          // comments are allowed
          "plan": { "baseFeeCents": 4900, "includedBotMinutes": 100, "includedForwardMinutes": 30,
                    "botRateCents": 12.5, "forwardRateCents": 9, "increment": "minute" },
          "tenant": { "country": "at", "vatId": " ATU12345678 ", "startDate": "2026-01-15" },
          "packages": [ { "minutes": 100, "remainingMinutes": 37.5, "validUntil": "2026-03-31" } ],
          "usage": [
            { "kind": "bot", "start": "2026-01-15T10:30:00+01:00", "seconds": 61 },
            { "kind": "forward", "start": "2026-01-15T09:31:00.250Z", "seconds": 0 }
          ]
        }
        """;

    public BillingCaseJsonTests() => CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("de-DE");

    [Fact]
    public void A_complete_case_is_read_with_exact_numbers()
    {
        var result = BillingCaseJson.Parse(Valid);

        Assert.Empty(result.Errors);
        var billingCase = result.Case!;
        Assert.Equal(new BillingPlan(4900, 100, 30, 12.5m, 9m, BillingIncrement.Minute), billingCase.Plan);
        Assert.Equal(new BillingTenant("AT", "ATU12345678", new LocalDate(2026, 1, 15)), billingCase.Tenant);
        Assert.Equal(new MinutePackage(100m, 37.5m, new LocalDate(2026, 3, 31)), Assert.Single(billingCase.Packages));
        Assert.Equal(
            [
                new UsageEntry(UsageKind.Bot, Instant.FromUtc(2026, 1, 15, 9, 30), 61),
                new UsageEntry(UsageKind.Forward, Instant.FromUtc(2026, 1, 15, 9, 31).PlusNanoseconds(250_000_000), 0),
            ],
            billingCase.Usage);
    }

    [Fact]
    public void Null_vat_id_and_start_date_and_empty_lists_are_fine()
    {
        var result = BillingCaseJson.Parse("""
            { "plan": { "baseFeeCents": 0, "includedBotMinutes": 0, "includedForwardMinutes": 0, "botRateCents": 0, "forwardRateCents": 0, "increment": "second" },
              "tenant": { "country": "CH", "vatId": null, "startDate": null }, "packages": [], "usage": [] }
            """);

        Assert.Empty(result.Errors);
        Assert.Equal(new BillingTenant("CH", null, null), result.Case!.Tenant);
    }

    [Fact]
    public void Every_missing_field_is_named_with_its_path()
    {
        var result = BillingCaseJson.Parse("""{ "plan": {}, "tenant": {}, "usage": [ {} ] }""");

        Assert.Null(result.Case);
        Assert.Equal(
            [
                "plan.baseFeeCents fehlt.", "plan.includedBotMinutes fehlt.", "plan.includedForwardMinutes fehlt.",
                "plan.botRateCents fehlt.", "plan.forwardRateCents fehlt.", "plan.increment fehlt.",
                "tenant.country fehlt.", "tenant.vatId fehlt.", "tenant.startDate fehlt.",
                "packages fehlt.",
                "usage[0].kind fehlt.", "usage[0].start fehlt.", "usage[0].seconds fehlt.",
            ],
            result.Errors.Select(e => e.Message));
    }

    [Fact]
    public void Wrong_values_are_explained_in_german()
    {
        var result = BillingCaseJson.Parse("""
            { "plan": { "baseFeeCents": 49.5, "includedBotMinutes": -1, "includedForwardMinutes": "30", "botRateCents": 12,
                        "forwardRateCents": 1e12, "increment": "hour" },
              "tenant": { "country": "XX", "vatId": 123, "startDate": "15.01.2026" },
              "packages": [ { "minutes": 0, "remainingMinutes": 5, "validUntil": "2026-02-30" }, { "minutes": 10, "remainingMinutes": 11, "validUntil": "2026-02-28" }, 7 ],
              "usage": [ { "kind": "call", "start": "gestern", "seconds": 1.5 } ] }
            """);

        Assert.Null(result.Case);
        Assert.Equal(
            [
                "plan.baseFeeCents muss eine ganze Zahl von 0 bis 1000000000 sein.",
                "plan.includedBotMinutes muss eine ganze Zahl von 0 bis 1000000000 sein.",
                "plan.includedForwardMinutes muss eine ganze Zahl von 0 bis 1000000000 sein.",
                "plan.forwardRateCents muss eine Zahl von 0 bis 1000000000 sein (Dezimalpunkt, z. B. 12.5).",
                "plan.increment muss „second“ oder „minute“ sein.",
                "tenant.country muss ein Ländercode nach ISO 3166 sein (z. B. DE, AT, CH).",
                "tenant.vatId muss ein Text oder null sein.",
                "tenant.startDate muss ein Datum im Format JJJJ-MM-TT sein (z. B. 2026-01-15).",
                "packages[0].validUntil muss ein Datum im Format JJJJ-MM-TT sein (z. B. 2026-01-15).",
                "packages[0].minutes muss größer als 0 sein.",
                "packages[1].remainingMinutes darf nicht größer als minutes sein.",
                "packages[2] muss ein JSON-Objekt sein.",
                "usage[0].kind muss „bot“ oder „forward“ sein.",
                "usage[0].start muss ein Zeitpunkt nach ISO 8601 sein (z. B. 2026-01-15T10:30:00+01:00).",
                "usage[0].seconds muss eine ganze Zahl von 0 bis 1000000000 sein.",
            ],
            result.Errors.Select(e => e.Message));
    }

    [Theory]
    [InlineData("{ \"plan\": ", "Kein gültiges JSON (Zeile 1, Spalte 11).")]
    [InlineData("[]", "CASE.json muss ein JSON-Objekt sein.")]
    [InlineData("{ \"plan\": 1, \"tenant\": [], \"packages\": {}, \"usage\": null }", "plan muss ein JSON-Objekt sein.|tenant muss ein JSON-Objekt sein.|packages muss eine Liste sein.|usage muss eine Liste sein.")]
    public void Broken_documents_are_reported(string json, string messages)
    {
        var result = BillingCaseJson.Parse(json);

        Assert.Null(result.Case);
        Assert.Equal(messages.Split('|'), result.Errors.Select(e => e.Message));
    }

    [Fact]
    public void Messages_are_english_in_an_english_ui()
    {
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("en-GB");

        var result = BillingCaseJson.Parse("""{ "plan": {}, "tenant": { "country": "DE", "vatId": null, "startDate": null }, "packages": [], "usage": [] }""");

        Assert.Equal("plan.baseFeeCents is missing.", result.Errors[0].Message);
    }

    [Theory]
    [InlineData("2026-01-15T10:30:00+01:00", "2026-01-15T09:30:00Z")]
    [InlineData("2026-01-15T10:30:00Z", "2026-01-15T10:30:00Z")]
    [InlineData("2026-01-15T10:30:00+00:00", "2026-01-15T10:30:00Z")]
    [InlineData("2026-07-15T10:30:00", "2026-07-15T08:30:00Z")]
    [InlineData("2026-01-15T10:30:00", "2026-01-15T09:30:00Z")]
    [InlineData("2026-03-29T02:30:00", "2026-03-29T01:30:00Z")]
    public void Starts_with_an_offset_are_instants_and_without_one_berlin_time(string text, string utc)
    {
        Assert.Equal(NodaTime.Text.InstantPattern.General.Parse(utc).Value, BillingCaseJson.ParseStart(text));
    }

    [Theory]
    [InlineData("2026-01", true)]
    [InlineData("2028-02", true)]
    [InlineData("2026-1", false)]
    [InlineData("2026-13", false)]
    [InlineData("01/2026", false)]
    [InlineData("2026-01-01", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Periods_are_year_and_month(string? text, bool valid) =>
        Assert.Equal(valid, BillingPeriod.TryParse(text, out _));

    // Error codes are plain words; the billing pages' texts share the file under dotted keys ("Filter.All").
    [Fact]
    public void Every_error_code_has_a_german_and_an_english_text_and_nothing_else()
    {
        var codes = BillingErrorCodes.All.Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(codes, Keys(CultureInfo.InvariantCulture).Where(k => !k.Contains('.')));
        Assert.Equal(codes, Keys(CultureInfo.GetCultureInfo("en")).Where(k => !k.Contains('.')));
        Assert.All(codes, code => Assert.True(BillingTexts.Has(code), code));
    }

    [Fact]
    public void Every_page_text_exists_in_german_and_english()
    {
        var german = Keys(CultureInfo.InvariantCulture).Where(k => k.Contains('.')).ToArray();

        Assert.NotEmpty(german);
        Assert.Equal(german, Keys(CultureInfo.GetCultureInfo("en")).Where(k => k.Contains('.')));
    }

    private static string[] Keys(CultureInfo culture)
    {
        var manager = new ResourceManager("VoiceAgent.Billing.BillingTexts", typeof(BillingTexts).Assembly);
        var set = manager.GetResourceSet(culture, createIfNotExists: true, tryParents: false)!;
        return set.Cast<DictionaryEntry>().Select(e => (string)e.Key).Order(StringComparer.Ordinal).ToArray();
    }
}
