namespace VoiceAgent.Billing;

/// <summary>
/// What an invoice document says, in reading order — the § 14 UStG content, independent of how it is drawn. The PDF
/// renderer draws exactly this; tests check the mandatory fields here. Texts are German (the operator invoices in German).
/// </summary>
public sealed record InvoiceLayout(
    string Title,
    string SenderLine,
    IReadOnlyList<string> RecipientLines,
    IReadOnlyList<(string Label, string Value)> Facts,
    string Intro,
    IReadOnlyList<InvoiceLayout.Row> Rows,
    IReadOnlyList<(string Label, string Value, bool Strong)> Totals,
    IReadOnlyList<string> Notes,
    IReadOnlyList<IReadOnlyList<string>> FooterColumns,
    string IssuerName,
    bool IsDraft)
{
    public sealed record Row(string Position, string Description, string Quantity, string Unit, string UnitPrice, string Amount);

    /// <param name="original">For a cancellation invoice: the invoice it cancels.</param>
    public static InvoiceLayout For(Invoice invoice, IReadOnlyList<InvoiceItem> lines, Invoice? original = null)
    {
        var issuer = InvoiceParty.FromJson(invoice.Issuer);
        var recipient = InvoiceParty.FromJson(invoice.Recipient);
        var isDraft = invoice.Status == InvoiceStatuses.Draft;
        var title = invoice.Kind == InvoiceKinds.Cancellation ? "Stornorechnung" : "Rechnung";

        var recipientLines = new List<string> { recipient.Name };
        if (!string.IsNullOrWhiteSpace(recipient.ContactPerson))
        {
            recipientLines.Add(recipient.ContactPerson);
        }

        recipientLines.Add(recipient.Street);
        recipientLines.Add($"{recipient.PostalCode} {recipient.City}");
        if (recipient.Country != issuer.Country)
        {
            recipientLines.Add(CountryName(recipient.Country));
        }

        var facts = new List<(string, string)>
        {
            ("Rechnungsnummer", invoice.Number ?? "Entwurf"),
            ("Rechnungsdatum", invoice.InvoiceDate is { } date ? GermanFormat.Date(date) : "–"),
        };
        if (recipient.CustomerNumber is { } customer)
        {
            facts.Add(("Kundennummer", customer));
        }

        facts.Add(("Leistungszeitraum", $"{GermanFormat.Date(invoice.ServiceFrom)} – {GermanFormat.Date(invoice.ServiceUntil)}"));
        if (original is not null)
        {
            facts.Add(("Zu Rechnung", $"{original.Number} vom {GermanFormat.Date(original.InvoiceDate!.Value)}"));
        }

        // The customer's VAT ID is mandatory on reverse-charge invoices (§ 14a UStG); shown whenever the tenant has one.
        if (recipient.VatId is { } vatId)
        {
            facts.Add(("Ihre USt-IdNr.", vatId));
        }

        var intro = invoice.Kind switch
        {
            InvoiceKinds.Cancellation when original is not null =>
                $"Hiermit stornieren wir die Rechnung {original.Number} vom {GermanFormat.Date(original.InvoiceDate!.Value)} vollständig.",
            InvoiceKinds.Package => "Für den Kauf eines Minutenpakets berechnen wir Ihnen:",
            _ => $"Für die Nutzung von VoiceAgent im {invoice.BillingPeriod().Display} berechnen wir Ihnen:",
        };

        var rows = lines.OrderBy(l => l.Position).Select(l => new Row(
            l.Position.ToString(System.Globalization.CultureInfo.InvariantCulture),
            l.Description,
            GermanFormat.Quantity(l.Quantity),
            l.Unit,
            GermanFormat.UnitPrice(l.UnitPriceCents),
            GermanFormat.Euro(l.AmountCents))).ToList();

        var totals = new List<(string, string, bool)>
        {
            ("Summe netto", GermanFormat.Euro(invoice.NetCents), false),
            ($"Umsatzsteuer {GermanFormat.Percent(invoice.TaxRatePercent)} auf {GermanFormat.Euro(invoice.NetCents)}", GermanFormat.Euro(invoice.TaxCents), false),
            (invoice.Kind == InvoiceKinds.Cancellation ? "Gutschriftsbetrag brutto" : "Rechnungsbetrag brutto", GermanFormat.Euro(invoice.GrossCents), true),
        };

        var notes = new List<string>();
        if (invoice.TaxNote is { } taxNote)
        {
            notes.Add(taxNote + ".");
        }

        if (invoice.Kind == InvoiceKinds.Package)
        {
            notes.Add("Der Betrag wurde bereits per Online-Zahlung (Stripe) beglichen.");
        }
        else if (invoice.Kind == InvoiceKinds.Cancellation)
        {
            notes.Add("Ein bereits gezahlter Betrag wird Ihnen erstattet oder mit der nächsten Rechnung verrechnet.");
        }
        else if (invoice.GrossCents > 0)
        {
            var due = invoice.DueDate is { } d ? $"bis zum {GermanFormat.Date(d)} " : "";
            var account = issuer.Iban is { } iban ? $" auf das Konto IBAN {iban}" + (issuer.Bic is { } bic ? $" (BIC {bic})" : "") : "";
            notes.Add($"Bitte überweisen Sie den Rechnungsbetrag {due}ohne Abzug{account}. Verwendungszweck: {invoice.Number ?? "die Rechnungsnummer"}.");
        }

        notes.Add("Vielen Dank für Ihr Vertrauen.");

        var footer = new List<IReadOnlyList<string>>
        {
            Compact([issuer.Name, issuer.Street, $"{issuer.PostalCode} {issuer.City}", issuer.Email, issuer.Phone, issuer.Website]),
            Compact([
                issuer.TaxNumber is { } tn ? $"Steuernummer: {tn}" : null,
                issuer.VatId is { } vi ? $"USt-IdNr.: {vi}" : null,
                issuer.ManagingDirector is { } md ? $"Geschäftsführung: {md}" : null,
                issuer.RegisterCourt is { } rc ? $"{rc} {issuer.RegisterNumber}".Trim() : null,
            ]),
            Compact([issuer.BankName, issuer.Iban is { } i ? $"IBAN: {i}" : null, issuer.Bic is { } b ? $"BIC: {b}" : null]),
        };

        return new InvoiceLayout(
            title,
            $"{issuer.Name} · {issuer.Street} · {issuer.PostalCode} {issuer.City}",
            recipientLines,
            facts,
            intro,
            rows,
            totals,
            notes,
            footer,
            issuer.Name,
            isDraft);
    }

    /// <summary>Everything the document says, line by line (tests, plain-text previews).</summary>
    public IEnumerable<string> AllTexts()
    {
        yield return Title;
        yield return SenderLine;
        foreach (var line in RecipientLines)
        {
            yield return line;
        }

        foreach (var (label, value) in Facts)
        {
            yield return $"{label}: {value}";
        }

        yield return Intro;
        foreach (var row in Rows)
        {
            yield return $"{row.Position} {row.Description} {row.Quantity} {row.Unit} {row.UnitPrice} {row.Amount}";
        }

        foreach (var (label, value, _) in Totals)
        {
            yield return $"{label}: {value}";
        }

        foreach (var note in Notes)
        {
            yield return note;
        }

        foreach (var column in FooterColumns)
        {
            foreach (var line in column)
            {
                yield return line;
            }
        }
    }

    private static List<string> Compact(IEnumerable<string?> values) =>
        values.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!).ToList();

    private static string CountryName(string code) => code switch
    {
        "DE" => "Deutschland",
        "AT" => "Österreich",
        "CH" => "Schweiz",
        "LI" => "Liechtenstein",
        "LU" => "Luxemburg",
        "NL" => "Niederlande",
        "BE" => "Belgien",
        "FR" => "Frankreich",
        "IT" => "Italien",
        _ => code,
    };
}
