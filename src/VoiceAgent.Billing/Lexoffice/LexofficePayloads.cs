using System.Text.Json.Nodes;
using VoiceAgent.Platform;
using VoiceAgent.Platform.Tenancy;

namespace VoiceAgent.Billing.Lexoffice;

/// <summary>Request bodies for Lexoffice (API-CONTRACTS.md §3.2, §3.3): a tenant as customer contact, an invoice as custom lines.</summary>
public static class LexofficePayloads
{
    /// <summary>Written into the Lexoffice invoice so that a lost answer can be matched to our invoice afterwards.</summary>
    public static string Marker(Invoice invoice) => $"VoiceAgent-Rechnungsnummer: {invoice.Number}";

    /// <summary>On write every list holds at most one entry (billing address, e-mail, phone, contact person).</summary>
    public static JsonObject Contact(Tenant tenant, int version, JsonObject? roles = null)
    {
        var tax = VatRules.For(tenant.Country, tenant.VatId);
        var (firstName, lastName) = SplitName(tenant.ContactPerson);
        var company = new JsonObject
        {
            ["name"] = tenant.CompanyName,
            ["allowTaxFreeInvoices"] = tax.RatePercent == 0m,
            ["contactPersons"] = new JsonArray(new JsonObject
            {
                ["firstName"] = firstName,
                ["lastName"] = lastName,
                ["primary"] = true,
                ["emailAddress"] = tenant.Email,
            }),
        };
        if (!string.IsNullOrWhiteSpace(tenant.TaxNumber))
        {
            company["taxNumber"] = tenant.TaxNumber;
        }

        if (!string.IsNullOrWhiteSpace(tenant.VatId))
        {
            company["vatRegistrationId"] = VatRules.Compact(tenant.VatId);
        }

        return new JsonObject
        {
            ["version"] = version,
            ["roles"] = roles?.DeepClone() ?? new JsonObject { ["customer"] = new JsonObject() },
            ["company"] = company,
            ["addresses"] = new JsonObject
            {
                ["billing"] = new JsonArray(new JsonObject
                {
                    ["street"] = $"{tenant.Street} {tenant.HouseNumber}".Trim(),
                    ["zip"] = tenant.PostalCode,
                    ["city"] = tenant.City,
                    ["countryCode"] = tenant.Country,
                }),
            },
            ["emailAddresses"] = new JsonObject { ["business"] = new JsonArray(tenant.Email) },
            ["phoneNumbers"] = new JsonObject { ["business"] = new JsonArray(tenant.Phone) },
            ["note"] = $"VoiceAgent-Mandant {InvoiceParty.CustomerNumberOf(tenant.Id)}",
        };
    }

    /// <summary>
    /// The invoice with <c>custom</c> line items at their net unit price. Tax type by our VAT rule: German VAT → <c>net</c>,
    /// EU reverse charge → <c>intraCommunitySupply</c>, not taxable in Germany → <c>thirdPartyCountryService</c>.
    /// Quantities and unit prices are rounded to Lexoffice's 4 decimals; our line amounts are authoritative.
    /// </summary>
    public static JsonObject Invoice(Invoice invoice, IReadOnlyList<InvoiceItem> lines, Guid contactId)
    {
        var invoiceDate = invoice.InvoiceDate ?? throw new InvalidOperationException("Only finalized invoices are sent.");
        var items = new JsonArray();
        foreach (var line in lines.OrderBy(l => l.Position))
        {
            // Lexoffice computes quantity × unit price itself. Where that (4 decimals, rounded to cents) is not exactly our
            // amount — our overage amounts come from exact seconds — the line goes as 1 × amount with the figures in its name.
            var quantity = Math.Round(line.Quantity, 4, MidpointRounding.AwayFromZero);
            var unitNet = Math.Round(line.UnitPriceCents / 100m, 4, MidpointRounding.AwayFromZero);
            var name = line.Description;
            var unitName = line.Unit;
            if (quantity == 0 || Math.Round(quantity * unitNet, 2, MidpointRounding.AwayFromZero) != line.AmountCents / 100m)
            {
                name = $"{line.Description} ({GermanFormat.Quantity(line.Quantity)} {line.Unit} à {GermanFormat.UnitPrice(line.UnitPriceCents)})";
                quantity = 1;
                unitNet = line.AmountCents / 100m;
                unitName = "Pauschale";
            }

            items.Add(new JsonObject
            {
                ["type"] = "custom",
                ["name"] = name,
                ["quantity"] = quantity,
                ["unitName"] = unitName,
                ["unitPrice"] = new JsonObject
                {
                    ["currency"] = "EUR",
                    ["netAmount"] = unitNet,
                    ["taxRatePercentage"] = invoice.TaxRatePercent,
                },
            });
        }

        var body = new JsonObject
        {
            ["voucherDate"] = LexofficeClient.FormatDate(AtBerlinMidnight(invoiceDate)),
            ["address"] = new JsonObject { ["contactId"] = contactId },
            ["lineItems"] = items,
            ["totalPrice"] = new JsonObject { ["currency"] = "EUR" },
            ["taxConditions"] = new JsonObject { ["taxType"] = TaxType(invoice.TaxRule) },
            ["shippingConditions"] = new JsonObject
            {
                ["shippingType"] = "serviceperiod",
                ["shippingDate"] = LexofficeClient.FormatDate(AtBerlinMidnight(invoice.ServiceFrom)),
                ["shippingEndDate"] = LexofficeClient.FormatDate(AtBerlinMidnight(invoice.ServiceUntil)),
            },
            ["title"] = "Rechnung",
            ["introduction"] = $"Rechnung {invoice.Number} für die Nutzung von VoiceAgent.",
            ["remark"] = Marker(invoice) + (invoice.TaxNote is { } note ? $"\n{note}." : ""),
            ["language"] = "de",
        };
        if (invoice.DueDate is { } due)
        {
            body["paymentConditions"] = new JsonObject
            {
                ["paymentTermLabel"] = $"Zahlbar bis {GermanFormat.Date(due)} ohne Abzug.",
                ["paymentTermDuration"] = due.DayNumber - invoiceDate.DayNumber,
            };
        }

        return body;
    }

    public static string TaxType(string taxRule) => taxRule switch
    {
        "reverse_charge" => "intraCommunitySupply",
        "not_taxable_in_germany" => "thirdPartyCountryService",
        _ => "net",
    };

    private static DateTimeOffset AtBerlinMidnight(DateOnly day)
    {
        var local = new NodaTime.LocalDate(day.Year, day.Month, day.Day).AtStartOfDayInZone(BusinessTime.Zone);
        return local.ToDateTimeOffset();
    }

    private static (string? First, string Last) SplitName(string name)
    {
        var parts = name.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length <= 1 ? (null, name.Trim()) : (string.Join(' ', parts[..^1]), parts[^1]);
    }
}
