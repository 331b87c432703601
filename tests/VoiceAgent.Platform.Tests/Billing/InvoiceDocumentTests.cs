using System.Text.Json.Nodes;
using VoiceAgent.Billing;
using VoiceAgent.Billing.Lexoffice;

namespace VoiceAgent.Platform.Tests.Billing;

/// <summary>§ 14 UStG content of an invoice, its PDF (PDFsharp with Debian's Liberation fonts) and its Lexoffice form.</summary>
public sealed class InvoiceDocumentTests
{
    private static readonly PdfOptions Pdf = new();

    private static readonly IssuerOptions Issuer = new()
    {
        Name = "VoiceAgent GmbH",
        Street = "Musterstraße 1",
        PostalCode = "10115",
        City = "Berlin",
        TaxNumber = "30/123/45678",
        VatId = "DE999999999",
        Iban = "DE02 1203 0000 0000 2020 51",
        Bic = "BYLADEM1001",
        BankName = "Beispielbank",
    };

    private static (Invoice Invoice, List<InvoiceItem> Lines) Sample(string country = "DE", string? vatId = "DE123456789", string taxRule = "domestic",
        decimal rate = 19m, string? note = null, string status = InvoiceStatuses.Finalized)
    {
        var lines = new List<InvoiceItem>
        {
            new() { Position = 1, Kind = LineKinds.BaseFee, Description = "Grundgebühr Januar 2026", Quantity = 1, Unit = "Monat", UnitPriceCents = 4900, AmountCents = 4900 },
            new() { Position = 2, Kind = LineKinds.PackageMinutes, Description = "Bot-Minuten aus Minutenpaket (gültig bis 31.03.2026)", Quantity = 40, Unit = "Minuten", UnitPriceCents = 0, AmountCents = 0 },
            new() { Position = 3, Kind = LineKinds.BotOverage, Description = "Bot-Minuten über Inklusivvolumen", Quantity = 4.0167m, Unit = "Minuten", UnitPriceCents = 12, AmountCents = 48 },
        };
        var net = lines.Sum(l => l.AmountCents);
        var tax = (long)Math.Round(net * rate / 100m, MidpointRounding.AwayFromZero);
        var invoice = new Invoice
        {
            Id = Guid.NewGuid(),
            TenantId = Guid.Parse("0a1b2c3d-0000-0000-0000-000000000000"),
            Kind = InvoiceKinds.Monthly,
            Status = status,
            Period = new DateOnly(2026, 1, 1),
            ServiceFrom = new DateOnly(2026, 1, 1),
            ServiceUntil = new DateOnly(2026, 1, 31),
            Number = status == InvoiceStatuses.Draft ? null : "VA-2026-00042",
            InvoiceDate = status == InvoiceStatuses.Draft ? null : new DateOnly(2026, 2, 1),
            DueDate = status == InvoiceStatuses.Draft ? null : new DateOnly(2026, 2, 15),
            Issuer = InvoiceParty.Issuer(Issuer).ToJson(),
            Recipient = new InvoiceParty
            {
                Name = "Salon Schnitt GmbH",
                ContactPerson = "Erika Mustermann",
                Street = "Hauptstraße 12a",
                PostalCode = "80331",
                City = "München",
                Country = country,
                VatId = vatId,
                CustomerNumber = "K-0A1B2C3D",
            }.ToJson(),
            NetCents = net,
            TaxRatePercent = rate,
            TaxCents = tax,
            GrossCents = net + tax,
            TaxRule = taxRule,
            TaxNote = note,
            Lines = lines,
        };
        return (invoice, lines);
    }

    [Fact]
    public void A_domestic_invoice_carries_every_mandatory_field()
    {
        var (invoice, lines) = Sample();

        var text = string.Join("\n", InvoiceLayout.For(invoice, lines).AllTexts());

        Assert.Contains("VoiceAgent GmbH · Musterstraße 1 · 10115 Berlin", text);        // issuer name and address
        Assert.Contains("Salon Schnitt GmbH", text);                                       // recipient name
        Assert.Contains("Hauptstraße 12a", text);                                          // recipient address
        Assert.Contains("Steuernummer: 30/123/45678", text);                               // issuer tax number
        Assert.Contains("USt-IdNr.: DE999999999", text);                                   // issuer VAT ID
        Assert.Contains("Rechnungsnummer: VA-2026-00042", text);
        Assert.Contains("Rechnungsdatum: 01.02.2026", text);
        Assert.Contains("Leistungszeitraum: 01.01.2026 – 31.01.2026", text);
        Assert.Contains("3 Bot-Minuten über Inklusivvolumen 4,0167 Minuten 0,12 € 0,48 €", text); // quantity, unit price, amount
        Assert.Contains("Summe netto: 49,48 €", text);                                     // net per rate
        Assert.Contains("Umsatzsteuer 19 % auf 49,48 €: 9,40 €", text);                    // tax rate and amount
        Assert.Contains("Rechnungsbetrag brutto: 58,88 €", text);
        Assert.Contains("IBAN DE02 1203 0000 0000 2020 51", text);
        Assert.Contains("bis zum 15.02.2026", text);
    }

    [Fact]
    public void Reverse_charge_shows_the_customers_vat_id_and_the_legal_note()
    {
        var (invoice, lines) = Sample("AT", "ATU12345678", "reverse_charge", 0m, InvoiceTexts.ReverseChargeNote);

        var text = string.Join("\n", InvoiceLayout.For(invoice, lines).AllTexts());

        Assert.Contains("Ihre USt-IdNr.: ATU12345678", text);
        Assert.Contains("Österreich", text);
        Assert.Contains("Umsatzsteuer 0 % auf 49,48 €: 0,00 €", text);
        Assert.Contains("Steuerschuldnerschaft des Leistungsempfängers (Reverse Charge, § 13b UStG).", text);
    }

    [Fact]
    public void A_swiss_customer_gets_the_not_taxable_note()
    {
        var (invoice, lines) = Sample("CH", null, "not_taxable_in_germany", 0m, InvoiceTexts.NotTaxableNote);

        var text = string.Join("\n", InvoiceLayout.For(invoice, lines).AllTexts());

        Assert.Contains("Nicht im Inland steuerbare Leistung.", text);
        Assert.Contains("Schweiz", text);
        Assert.DoesNotContain("Ihre USt-IdNr.", text);
    }

    [Fact]
    public void A_cancellation_names_the_invoice_it_cancels()
    {
        var (original, _) = Sample();
        var (storno, lines) = Sample();
        storno.Kind = InvoiceKinds.Cancellation;
        storno.Number = "VA-2026-00043";

        var layout = InvoiceLayout.For(storno, lines, original);

        Assert.Equal("Stornorechnung", layout.Title);
        Assert.Contains(("Zu Rechnung", "VA-2026-00042 vom 01.02.2026"), layout.Facts);
        Assert.Contains("Hiermit stornieren wir die Rechnung VA-2026-00042 vom 01.02.2026 vollständig.", layout.Intro);
    }

    [Fact]
    public void The_pdf_is_a_valid_a4_document_titled_with_the_invoice_number()
    {
        var (invoice, lines) = Sample();

        var bytes = InvoicePdf.Render(InvoiceLayout.For(invoice, lines), invoice.Number!, Pdf);

        Assert.Equal("%PDF-", System.Text.Encoding.ASCII.GetString(bytes, 0, 5));
        using var document = PdfSharp.Pdf.IO.PdfReader.Open(new MemoryStream(bytes), PdfSharp.Pdf.IO.PdfDocumentOpenMode.Import);
        Assert.Equal(1, document.PageCount);
        Assert.Equal(595, (int)document.Pages[0].Width.Point);
        Assert.Equal(842, (int)document.Pages[0].Height.Point);
        Assert.Equal("VA-2026-00042", document.Info.Title);
        Assert.Equal("VoiceAgent GmbH", document.Info.Author);
    }

    [Fact]
    public void Many_lines_flow_onto_further_pages()
    {
        var (invoice, lines) = Sample();
        var many = Enumerable.Range(1, 80).Select(i => new InvoiceItem
        {
            Position = i, Kind = LineKinds.PackageMinutes, Description = $"Bot-Minuten aus Minutenpaket Nr. {i} mit einer recht langen Beschreibung, die umbrechen muss",
            Quantity = i, Unit = "Minuten", UnitPriceCents = 0, AmountCents = 0,
        }).ToList();

        var bytes = InvoicePdf.Render(InvoiceLayout.For(invoice, many), "viele", Pdf);

        using var document = PdfSharp.Pdf.IO.PdfReader.Open(new MemoryStream(bytes), PdfSharp.Pdf.IO.PdfDocumentOpenMode.Import);
        Assert.True(document.PageCount >= 3, $"{document.PageCount} pages");
    }

    [Fact]
    public void Without_fonts_pdfs_explain_what_is_missing()
    {
        Assert.Contains("fonts-liberation", InvoicePdf.Problem(new PdfOptions { FontDirectory = "/nonexistent" }));
        Assert.Null(InvoicePdf.Problem(Pdf));
    }

    [Theory]
    [InlineData("domestic", "net")]
    [InlineData("eu_without_vat_id", "net")]
    [InlineData("reverse_charge", "intraCommunitySupply")]
    [InlineData("not_taxable_in_germany", "thirdPartyCountryService")]
    public void Lexoffice_tax_type_follows_the_vat_rule(string rule, string taxType) => Assert.Equal(taxType, LexofficePayloads.TaxType(rule));

    [Fact]
    public void Lexoffice_invoice_uses_custom_lines_exact_dates_and_amounts_that_add_up_to_ours()
    {
        var (invoice, lines) = Sample();
        lines[2].Quantity = 4.0167m;
        lines[2].AmountCents = 49; // from exact seconds: 4.0167 × 12 ct would round to 48 ct

        var body = LexofficePayloads.Invoice(invoice, lines, Guid.Empty);

        Assert.Equal("2026-02-01T00:00:00.000+01:00", (string?)body["voucherDate"]);
        Assert.Equal("2026-01-31T00:00:00.000+01:00", (string?)body["shippingConditions"]!["shippingEndDate"]);
        var items = body["lineItems"]!.AsArray();
        Assert.All(items, i => Assert.Equal("custom", (string?)i!["type"]));
        var sum = items.Sum(i => Math.Round((decimal)i!["quantity"]! * (decimal)i["unitPrice"]!["netAmount"]!, 2, MidpointRounding.AwayFromZero));
        Assert.Equal(invoice.NetCents / 100m + 0.01m, sum);
        Assert.Equal(1m, (decimal)items[2]!["quantity"]!);
        Assert.Contains("4,0167 Minuten à 0,12 €", (string?)items[2]!["name"]);
        Assert.Contains(LexofficePayloads.Marker(invoice), (string?)body["remark"]);
    }

    [Fact]
    public void Lexoffice_contact_holds_one_entry_per_list_and_the_vat_id()
    {
        var tenant = new Tenancy.Tenant
        {
            Id = Guid.NewGuid(), CompanyName = "Salon Schnitt GmbH", ContactPerson = "Erika Mustermann", Email = "chef@salon.de", Street = "Hauptstraße",
            HouseNumber = "12a", PostalCode = "80331", City = "München", Country = "AT", Phone = "+43 1 234567", VatId = "ATU 1234 5678",
        };

        var body = LexofficePayloads.Contact(tenant, 0);

        Assert.Equal(0, (int)body["version"]!);
        Assert.NotNull(body["roles"]!["customer"]);
        Assert.Equal("ATU12345678", (string?)body["company"]!["vatRegistrationId"]);
        Assert.True((bool)body["company"]!["allowTaxFreeInvoices"]!);
        Assert.Single(body["addresses"]!["billing"]!.AsArray());
        Assert.Equal("AT", (string?)body["addresses"]!["billing"]![0]!["countryCode"]);
        Assert.Equal("Mustermann", (string?)body["company"]!["contactPersons"]![0]!["lastName"]);
        Assert.IsType<JsonArray>(body["emailAddresses"]!["business"]);
    }
}
