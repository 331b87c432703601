using NodaTime;
using NodaTime.Text;
using VoiceAgent.Billing;

namespace VoiceAgent.Platform.Tests.Billing;

/// <summary>
/// The billing table: every case is worked out by hand in its comment. Unless a case says otherwise: January 2026
/// (31 days, no DST change), a German tenant without start date, and the default plan — 49,00 € base fee, 100 bot and
/// 30 forward minutes included, 12 ct per bot minute and 9 ct per forward minute over, billed per second.
/// </summary>
public sealed class InvoiceCalculatorTableTests
{
    private const string Bot = "Bot-Minuten über Inklusivvolumen";
    private const string Forward = "Weiterleitungsminuten über Inklusivvolumen";
    private const string Mid = "2026-01-10T10:00:00+01:00";
    private const string Later = "2026-01-20T16:45:00+01:00";

    private static readonly BillingPeriod January = new(2026, 1);
    private static readonly Line Base = new Line("Grundgebühr Januar 2026", 1m, 4900m, 4900);

    private static readonly Dictionary<string, Row> Cases = new()
    {
        // 4900 net; 19 % of 4900 = 931.00.
        ["zero usage: base fee only"] = Expect(Case(), 4900, 19, 931, 5831, TaxRule.Domestic, Base),

        // 3600 + 2400 s = 100 min bot, 1800 s = 30 min forward: exactly included.
        ["exactly the included minutes, per second"] = Expect(
            Case(usage: [BotUse(Mid, 3600), BotUse(Later, 2400), ForwardUse(Mid, 1800)]),
            4900, 19, 931, 5831, TaxRule.Domestic, Base),

        // 5940 s = 99 min, 1 s → 1 min: 100 min bot; 1799 s → 30 min forward.
        ["exactly the included minutes, per started minute"] = Expect(
            Case(Plan(increment: BillingIncrement.Minute), usage: [BotUse(Mid, 5940), BotUse(Later, 1), ForwardUse(Mid, 1799)]),
            4900, 19, 931, 5831, TaxRule.Domestic, Base),

        // 1 s over = 1/60 min × 12 ct = 0.2 ct → 0 ct; the line still shows the minutes (0.0167).
        ["one second over the included bot minutes is 0 ct"] = Expect(
            Case(usage: [BotUse(Mid, 6001)]),
            4900, 19, 931, 5831, TaxRule.Domestic, Base, new Line(Bot, 0.0167m, 12m, 0)),

        // 6750 s = 112.5 min; 12.5 min × 12 ct = 150 ct. Net 5050; VAT 959.5 → 960.
        ["bot overage per second"] = Expect(
            Case(usage: [BotUse(Mid, 6000), BotUse(Later, 750)]),
            5050, 19, 960, 6010, TaxRule.Domestic, Base, new Line(Bot, 12.5m, 12m, 150)),

        // 2130 s = 35.5 min; 5.5 min × 9 ct = 49.5 → 50 ct. Net 4950; VAT 940.5 → 941.
        ["forward overage per second rounds half a cent up"] = Expect(
            Case(usage: [ForwardUse(Mid, 2130)]),
            4950, 19, 941, 5891, TaxRule.Domestic, Base, new Line(Forward, 5.5m, 9m, 50)),

        // Bot 120 min: 20 × 12 = 240; forward 40 min: 10 × 9 = 90. Net 5230; VAT 993.7 → 994.
        ["both overages"] = Expect(
            Case(usage: [BotUse(Mid, 7200), ForwardUse(Later, 2400)]),
            5230, 19, 994, 6224, TaxRule.Domestic, Base, new Line(Bot, 20m, 12m, 240), new Line(Forward, 10m, 9m, 90)),

        // No bot minutes included. 61 s → 2, 1 s → 1, 60 s → 1, 0 s → 0, 119 s → 2: 6 min × 12 = 72. Net 4972; VAT 944.68 → 945.
        ["per started minute rounds every record up"] = Expect(
            Case(Plan(bot: 0, increment: BillingIncrement.Minute),
                usage: [BotUse(Mid, 61), BotUse(Mid, 1), BotUse(Mid, 60), BotUse(Mid, 0), BotUse(Later, 119)]),
            4972, 19, 945, 5917, TaxRule.Domestic, Base, new Line(Bot, 6m, 12m, 72)),

        // The same records per second: 241 s = 4.01666… min; × 12 = 48.2 → 48. Net 4948; VAT 940.12 → 940.
        ["per second sums the same records exactly"] = Expect(
            Case(Plan(bot: 0), usage: [BotUse(Mid, 61), BotUse(Mid, 1), BotUse(Mid, 60), BotUse(Mid, 0), BotUse(Later, 119)]),
            4948, 19, 940, 5888, TaxRule.Domestic, Base, new Line(Bot, 4.0167m, 12m, 48)),

        // No forward minutes included; two 30 s forwards are two started minutes: 2 × 9 = 18. Net 4918; VAT 934.42 → 934.
        ["per started minute: two 30 s forwards are two minutes"] = Expect(
            Case(Plan(forward: 0, increment: BillingIncrement.Minute), usage: [ForwardUse(Mid, 30), ForwardUse(Later, 30)]),
            4918, 19, 934, 5852, TaxRule.Domestic, Base, new Line(Forward, 2m, 9m, 18)),

        // 120 min bot, 20 over; the package has 30 left and covers all 20.
        ["package partly used"] = Expect(
            Case(packages: [Package(50, 30, "2026-06-30")], usage: [BotUse(Mid, 7200)]),
            4900, 19, 931, 5831, TaxRule.Domestic, Base, new Line("Bot-Minuten aus Minutenpaket (gültig bis 30.06.2026)", 20m, 0m, 0)),

        // 150 min bot, 50 over; package covers 30, 20 × 12 = 240 remain. Net 5140; VAT 976.6 → 977.
        ["package used up, the rest is overage"] = Expect(
            Case(packages: [Package(50, 30, "2026-06-30")], usage: [BotUse(Mid, 9000)]),
            5140, 19, 977, 6117, TaxRule.Domestic,
            Base, new Line("Bot-Minuten aus Minutenpaket (gültig bis 30.06.2026)", 30m, 0m, 0), new Line(Bot, 20m, 12m, 240)),

        // 50 over. Earliest validUntil first: 28.02. (25 left) → 31.03. (25 of 30) → 31.12. untouched.
        ["several packages, earliest expiry first"] = Expect(
            Case(packages: [Package(100, 40, "2026-12-31"), Package(60, 25, "2026-02-28"), Package(30, 30, "2026-03-31")],
                usage: [BotUse(Mid, 9000)]),
            4900, 19, 931, 5831, TaxRule.Domestic, Base,
            new Line("Bot-Minuten aus Minutenpaket (gültig bis 28.02.2026)", 25m, 0m, 0),
            new Line("Bot-Minuten aus Minutenpaket (gültig bis 31.03.2026)", 25m, 0m, 0)),

        // Expired on 31.12.2025, before the period: 20 × 12 = 240. Net 5140; VAT 977.
        ["package expired before the period is ignored"] = Expect(
            Case(packages: [Package(50, 50, "2025-12-31")], usage: [BotUse(Mid, 7200)]),
            5140, 19, 977, 6117, TaxRule.Domestic, Base, new Line(Bot, 20m, 12m, 240)),

        // Valid until the period's first day: counts for the whole month.
        ["package valid until the first day of the period counts"] = Expect(
            Case(packages: [Package(50, 50, "2026-01-01")], usage: [BotUse(Later, 7200)]),
            4900, 19, 931, 5831, TaxRule.Domestic, Base, new Line("Bot-Minuten aus Minutenpaket (gültig bis 01.01.2026)", 20m, 0m, 0)),

        // 20 over; the empty package is skipped, the next covers 10, 10 × 12 = 120. Net 5020; VAT 953.8 → 954.
        ["empty package is skipped"] = Expect(
            Case(packages: [Package(50, 0, "2026-06-30"), Package(50, 10, "2026-07-31")], usage: [BotUse(Mid, 7200)]),
            5020, 19, 954, 5974, TaxRule.Domestic,
            Base, new Line("Bot-Minuten aus Minutenpaket (gültig bis 31.07.2026)", 10m, 0m, 0), new Line(Bot, 10m, 12m, 120)),

        // Packages are bot minutes only: 10 forward minutes over × 9 = 90. Net 4990; VAT 948.1 → 948.
        ["packages never cover forward minutes"] = Expect(
            Case(packages: [Package(100, 100, "2026-06-30")], usage: [ForwardUse(Mid, 2400)]),
            4990, 19, 948, 5938, TaxRule.Domestic, Base, new Line(Forward, 10m, 9m, 90)),

        // 6090 s: 1.5 min over; the package's last minute covers 1, 0.5 × 12 = 6. Net 4906; VAT 932.14 → 932.
        ["per second a package covers part of the overage"] = Expect(
            Case(packages: [Package(10, 1, "2026-06-30")], usage: [BotUse(Mid, 6090)]),
            4906, 19, 932, 5838, TaxRule.Domestic,
            Base, new Line("Bot-Minuten aus Minutenpaket (gültig bis 30.06.2026)", 1m, 0m, 0), new Line(Bot, 0.5m, 12m, 6)),

        // 15.01.–31.01. = 17 of 31 days: 4900 × 17 / 31 = 2687.10 → 2687. VAT 510.53 → 511.
        ["mid-month start prorates the base fee"] = Expect(
            Case(tenant: Tenant(start: "2026-01-15")),
            2687, 19, 511, 3198, TaxRule.Domestic, new Line("Grundgebühr Januar 2026 (anteilig 17/31 Tage ab 15.01.2026)", 1m, 2687m, 2687)),

        ["start on the first day is the full fee"] = Expect(
            Case(tenant: Tenant(start: "2026-01-01")), 4900, 19, 931, 5831, TaxRule.Domestic, Base),

        // 1 of 31 days: 158.06 → 158. VAT 30.02 → 30.
        ["start on the last day is one day"] = Expect(
            Case(tenant: Tenant(start: "2026-01-31")),
            158, 19, 30, 188, TaxRule.Domestic, new Line("Grundgebühr Januar 2026 (anteilig 1/31 Tage ab 31.01.2026)", 1m, 158m, 158)),

        ["start after the period: no base fee"] = Expect(
            Case(tenant: Tenant(start: "2026-02-10")), 0, 19, 0, 0, TaxRule.Domestic),

        ["start before the period is the full fee"] = Expect(
            Case(tenant: Tenant(start: "2025-06-01")), 4900, 19, 931, 5831, TaxRule.Domestic, Base),

        // April: 16.–30. = 15 of 30 days; 1001 × 15 / 30 = 500.5 → 501. VAT 95.19 → 95.
        ["proration landing on half a cent rounds up"] = Expect(
            Case(Plan(baseFee: 1001), Tenant(start: "2026-04-16")), new BillingPeriod(2026, 4),
            501, 19, 95, 596, TaxRule.Domestic, new Line("Grundgebühr April 2026 (anteilig 15/30 Tage ab 16.04.2026)", 1m, 501m, 501)),

        // Leap year: 15.–29.02.2028 = 15 of 29 days; 4900 × 15 / 29 = 2534.48 → 2534. VAT 481.46 → 481.
        ["leap February has 29 days"] = Expect(
            Case(tenant: Tenant(start: "2028-02-15")), new BillingPeriod(2028, 2),
            2534, 19, 481, 3015, TaxRule.Domestic, new Line("Grundgebühr Februar 2028 (anteilig 15/29 Tage ab 15.02.2028)", 1m, 2534m, 2534)),

        // 12 of 31 days: 1896.77 → 1897; the 100 included bot minutes stay whole. VAT 360.43 → 360.
        ["included minutes are not prorated"] = Expect(
            Case(tenant: Tenant(start: "2026-01-20"), usage: [BotUse(Later, 6000)]),
            1897, 19, 360, 2257, TaxRule.Domestic, new Line("Grundgebühr Januar 2026 (anteilig 12/31 Tage ab 20.01.2026)", 1m, 1897m, 1897)),

        // 29.03.2026 is the DST change; proration counts days: 3 of 31 → 474.19 → 474. VAT 90.06 → 90.
        ["start on the DST day counts days, not hours"] = Expect(
            Case(tenant: Tenant(start: "2026-03-29")), new BillingPeriod(2026, 3),
            474, 19, 90, 564, TaxRule.Domestic, new Line("Grundgebühr März 2026 (anteilig 3/31 Tage ab 29.03.2026)", 1m, 474m, 474)),

        // 19 % of 150 = 28.5 → 29 (banker's rounding would give 28).
        ["VAT of half a cent rounds up"] = Expect(
            Case(Plan(baseFee: 150)), 150, 19, 29, 179, TaxRule.Domestic, new Line("Grundgebühr Januar 2026", 1m, 150m, 150)),

        // No base fee (no line), 2.5 ct per started minute: 1 × 2.5 = 2.5 → 3. VAT 0.57 → 1.
        ["fractional rate on half a cent rounds up"] = Expect(
            Case(Plan(baseFee: 0, bot: 0, botRate: 2.5m, increment: BillingIncrement.Minute), usage: [BotUse(Mid, 60)]),
            3, 19, 1, 4, TaxRule.Domestic, new Line(Bot, 1m, 2.5m, 3)),

        // 30 s × 1 ct / 60 = 0.5 ct → 1 ct. VAT 0.19 → 0.
        ["thirty seconds at 1 ct per minute is 1 ct"] = Expect(
            Case(Plan(baseFee: 0, bot: 0, botRate: 1), usage: [BotUse(Mid, 30)]),
            1, 19, 0, 1, TaxRule.Domestic, new Line(Bot, 0.5m, 1m, 1)),

        // 29 s × 1 ct / 60 = 0.483 ct → 0 ct.
        ["twenty-nine seconds at 1 ct per minute is 0 ct"] = Expect(
            Case(Plan(baseFee: 0, bot: 0, botRate: 1), usage: [BotUse(Mid, 29)]),
            0, 19, 0, 0, TaxRule.Domestic, new Line(Bot, 0.4833m, 1m, 0)),

        ["AT with a VAT ID: reverse charge"] = Expect(
            Case(tenant: Tenant("AT", "ATU12345678")), 4900, 0, 0, 4900, TaxRule.ReverseCharge, Base),

        ["AT VAT ID with spaces and lower case: reverse charge"] = Expect(
            Case(tenant: Tenant("AT", "atu 1234 5678")), 4900, 0, 0, 4900, TaxRule.ReverseCharge, Base),

        ["AT without a VAT ID pays German VAT"] = Expect(
            Case(tenant: Tenant("AT")), 4900, 19, 931, 5831, TaxRule.EuWithoutVatId, Base),

        // Seven digits after ATU.
        ["AT with a malformed VAT ID pays German VAT"] = Expect(
            Case(tenant: Tenant("AT", "ATU1234567")), 4900, 19, 931, 5831, TaxRule.EuInvalidVatId, Base),

        ["AT with a German VAT ID pays German VAT"] = Expect(
            Case(tenant: Tenant("AT", "DE123456789")), 4900, 19, 931, 5831, TaxRule.EuInvalidVatId, Base),

        ["CH is not taxable in Germany"] = Expect(
            Case(tenant: Tenant("CH", "CHE-123.456.789 MWST")), 4900, 0, 0, 4900, TaxRule.NotTaxableInGermany, Base),

        ["CH without a VAT ID is not taxable in Germany either"] = Expect(
            Case(tenant: Tenant("CH")), 4900, 0, 0, 4900, TaxRule.NotTaxableInGermany, Base),

        ["FR with a VAT ID: reverse charge"] = Expect(
            Case(tenant: Tenant("FR", "FR40303265045")), 4900, 0, 0, 4900, TaxRule.ReverseCharge, Base),

        ["NL without a VAT ID pays German VAT"] = Expect(
            Case(tenant: Tenant("NL")), 4900, 19, 931, 5831, TaxRule.EuWithoutVatId, Base),

        ["GR VAT IDs start with EL"] = Expect(
            Case(tenant: Tenant("GR", "EL123456789")), 4900, 0, 0, 4900, TaxRule.ReverseCharge, Base),

        ["GR VAT ID with GR prefix is malformed"] = Expect(
            Case(tenant: Tenant("GR", "GR123456789")), 4900, 19, 931, 5831, TaxRule.EuInvalidVatId, Base),

        ["US (outside the EU) is not taxable in Germany"] = Expect(
            Case(tenant: Tenant("US")), 4900, 0, 0, 4900, TaxRule.NotTaxableInGermany, Base),

        ["DE with a VAT ID still pays German VAT"] = Expect(
            Case(tenant: Tenant("DE", "DE123456789")), 4900, 19, 931, 5831, TaxRule.Domestic, Base),

        // Only the 6000 s of January count; December and February would be 200 min over.
        ["usage outside the period is ignored"] = Expect(
            Case(usage: [BotUse("2025-12-31T23:59:59+01:00", 6000), BotUse(Mid, 6000), BotUse("2026-02-01T00:00:00+01:00", 6000)]),
            4900, 19, 931, 5831, TaxRule.Domestic, Base),

        // Starts 23:50 on the last day and runs into February: billed entirely in January. 20 over × 12 = 240.
        ["a call is billed in the month it starts"] = Expect(
            Case(usage: [BotUse("2026-01-31T23:50:00+01:00", 7200)]),
            5140, 19, 977, 6117, TaxRule.Domestic, Base, new Line(Bot, 20m, 12m, 240)),

        // Without offset = Berlin time: 31.01. 23:30 is January (as UTC it would be 1 February 00:30 in Berlin).
        // 10 min × 12 = 120. Net 5020; VAT 953.8 → 954.
        ["a start without offset is Berlin time"] = Expect(
            Case(Plan(bot: 0), usage: [BotUse("2026-01-31T23:30:00", 600)]),
            5020, 19, 954, 5974, TaxRule.Domestic, Base, new Line(Bot, 10m, 12m, 120)),

        // March 2026 runs from 01.03. 00:00 CET (28.02. 23:00 UTC) to 01.04. 00:00 CEST (31.03. 22:00 UTC).
        // In: 300 s + 600 s = 15 min × 12 = 180. Net 5080; VAT 965.2 → 965.
        ["DST spring: March ends at midnight summer time"] = Expect(
            Case(Plan(bot: 0), usage:
            [
                BotUse("2026-02-28T22:59:59Z", 6000), BotUse("2026-02-28T23:30:00Z", 300),
                BotUse("2026-03-31T23:30:00+02:00", 600), BotUse("2026-03-31T22:30:00Z", 6000),
            ]),
            new BillingPeriod(2026, 3), 5080, 19, 965, 6045, TaxRule.Domestic,
            new Line("Grundgebühr März 2026", 1m, 4900m, 4900), new Line(Bot, 15m, 12m, 180)),

        // October 2025 runs from 30.09. 22:00 UTC (CEST) to 31.10. 23:00 UTC (CET). Per started minute:
        // in 60 s → 1 and 120 s → 2 = 3 min × 12 = 36. Net 4936; VAT 937.84 → 938.
        ["DST autumn: October starts in summer time and ends in winter time"] = Expect(
            Case(Plan(bot: 0, increment: BillingIncrement.Minute), usage:
            [
                BotUse("2025-09-30T21:59:59Z", 6000), BotUse("2025-09-30T22:00:00Z", 60),
                BotUse("2025-10-31T22:59:59Z", 120), BotUse("2025-10-31T23:00:00Z", 6000),
            ]),
            new BillingPeriod(2025, 10), 4936, 19, 938, 5874, TaxRule.Domestic,
            new Line("Grundgebühr Oktober 2025", 1m, 4900m, 4900), new Line(Bot, 3m, 12m, 36)),
    };

    public static TheoryData<string> Names => new(Cases.Keys);

    [Fact]
    public void The_table_has_at_least_thirty_cases() => Assert.True(Cases.Count >= 30, $"{Cases.Count} cases");

    [Theory]
    [MemberData(nameof(Names))]
    public void Invoice_matches_the_hand_calculation(string name)
    {
        var row = Cases[name];

        var invoice = InvoiceCalculator.Calculate(row.Case, row.Period);

        Assert.Equal(row.Lines, invoice.Lines.Select(l => new Line(l.Description, l.Quantity, l.UnitPriceCents, l.AmountCents)).ToArray());
        Assert.Equal(row.Net, invoice.NetCents);
        Assert.Equal(row.Net, invoice.Lines.Sum(l => l.AmountCents));
        Assert.Equal(row.TaxRate, invoice.Tax.RatePercent);
        Assert.Equal(row.Tax, invoice.TaxCents);
        Assert.Equal(row.Gross, invoice.GrossCents);
        Assert.Equal(row.Rule, invoice.Tax.Rule);
    }

    [Fact]
    public void Packages_report_what_they_gave_in_input_order()
    {
        var invoice = InvoiceCalculator.Calculate(Cases["several packages, earliest expiry first"].Case, January);

        Assert.Equal(
            [(0, true, 0m, 40m), (1, true, 1500m, 0m), (2, true, 1500m, 5m)],
            invoice.Packages.Select(p => (p.Index, p.Counted, p.ConsumedSeconds, p.RemainingMinutesAfter)).ToArray());
        Assert.Equal(3000m, invoice.Bot.PackageSeconds);
        Assert.Equal(0m, invoice.Bot.OverageSeconds);
    }

    [Fact]
    public void Expired_packages_are_reported_as_not_counted()
    {
        var invoice = InvoiceCalculator.Calculate(Cases["package expired before the period is ignored"].Case, January);

        var package = Assert.Single(invoice.Packages);
        Assert.False(package.Counted);
        Assert.Equal(0m, package.ConsumedSeconds);
        Assert.Equal(50m, package.RemainingMinutesAfter);
    }

    [Fact]
    public void Ignored_records_are_counted_and_the_rest_summarised()
    {
        var invoice = InvoiceCalculator.Calculate(Cases["usage outside the period is ignored"].Case, January);

        Assert.Equal(2, invoice.IgnoredUsageRecords);
        Assert.Equal(new UsageSummary(1, 6000, 6000, 6000, 0m, 0m), invoice.Bot);
        Assert.Equal(new UsageSummary(0, 0, 0, 1800, 0m, 0m), invoice.Forward);
    }

    [Fact]
    public void Per_started_minute_reports_raw_and_billed_seconds()
    {
        var invoice = InvoiceCalculator.Calculate(Cases["per started minute rounds every record up"].Case, January);

        Assert.Equal(new UsageSummary(5, 241, 360, 0, 0m, 360m), invoice.Bot);
    }

    [Fact]
    public void Start_after_the_period_reports_zero_active_days()
    {
        var invoice = InvoiceCalculator.Calculate(Cases["start after the period: no base fee"].Case, January);

        Assert.Equal(new BaseFeeProration(4900, 0, 31, 0), invoice.BaseFee);
    }

    [Theory]
    [InlineData("AT", "ATU12345678", "Steuerschuldnerschaft des Leistungsempfängers (Reverse Charge, § 13b UStG)")]
    [InlineData("CH", null, "Nicht im Inland steuerbare Leistung")]
    [InlineData("US", null, "Nicht im Inland steuerbare Leistung")]
    [InlineData("DE", "DE123456789", null)]
    [InlineData("AT", null, null)]
    public void Zero_rate_invoices_carry_the_legal_note(string country, string? vatId, string? note)
    {
        var invoice = InvoiceCalculator.Calculate(Case(tenant: Tenant(country, vatId)), January);

        Assert.Equal(note, invoice.Tax.Note);
    }

    [Fact]
    public void Period_bounds_are_berlin_midnights()
    {
        Assert.Equal((Instant.FromUtc(2026, 2, 28, 23, 0), Instant.FromUtc(2026, 3, 31, 22, 0)), (new BillingPeriod(2026, 3).Start, new BillingPeriod(2026, 3).End));
        Assert.Equal((Instant.FromUtc(2025, 9, 30, 22, 0), Instant.FromUtc(2025, 10, 31, 23, 0)), (new BillingPeriod(2025, 10).Start, new BillingPeriod(2025, 10).End));
    }

    private sealed record Line(string Description, decimal Quantity, decimal UnitPriceCents, long AmountCents);

    private sealed record Row(BillingCase Case, BillingPeriod Period, long Net, decimal TaxRate, long Tax, long Gross, TaxRule Rule, Line[] Lines);

    private static Row Expect(BillingCase billingCase, long net, decimal taxRate, long tax, long gross, TaxRule rule, params Line[] lines) =>
        new(billingCase, January, net, taxRate, tax, gross, rule, lines);

    private static Row Expect(BillingCase billingCase, BillingPeriod period, long net, decimal taxRate, long tax, long gross, TaxRule rule, params Line[] lines) =>
        new(billingCase, period, net, taxRate, tax, gross, rule, lines);

    private static BillingCase Case(BillingPlan? plan = null, BillingTenant? tenant = null, MinutePackage[]? packages = null, UsageEntry[]? usage = null) =>
        new(plan ?? Plan(), tenant ?? Tenant(), packages ?? [], usage ?? []);

    private static BillingPlan Plan(long baseFee = 4900, int bot = 100, int forward = 30, decimal botRate = 12, decimal forwardRate = 9,
        BillingIncrement increment = BillingIncrement.Second) =>
        new(baseFee, bot, forward, botRate, forwardRate, increment);

    private static BillingTenant Tenant(string country = "DE", string? vatId = null, string? start = null) =>
        new(country, vatId, start is null ? null : Date(start));

    private static MinutePackage Package(decimal minutes, decimal remaining, string validUntil) =>
        new(minutes, remaining, Date(validUntil));

    private static LocalDate Date(string text) => LocalDatePattern.Iso.Parse(text).Value;

    private static UsageEntry BotUse(string start, int seconds) => new(UsageKind.Bot, BillingCaseJson.ParseStart(start)!.Value, seconds);

    private static UsageEntry ForwardUse(string start, int seconds) => new(UsageKind.Forward, BillingCaseJson.ParseStart(start)!.Value, seconds);
}
