using PdfSharp;
using PdfSharp.Drawing;
using PdfSharp.Fonts;
using PdfSharp.Pdf;

namespace VoiceAgent.Billing;

/// <summary>
/// Draws an <see cref="InvoiceLayout"/> as an A4 PDF in the usual German business-letter shape (DIN 5008: sender line and
/// address field on the left, invoice facts on the right, item table, totals, notes, a footer with the issuer's tax and
/// bank details on every page). PDFsharp (6.2, MIT) needs its fonts resolved once per process (see
/// <see cref="PdfOptions"/>); fonts come from a directory of TrueType files (Debian: fonts-liberation).
/// </summary>
public static class InvoicePdf
{
    private const string Family = "Liberation Sans";
    private const double Left = 70;      // 25 mm
    private const double Right = 538;    // 210 mm − 20 mm
    private const double FooterTop = 770;
    private const double ContentBottom = 745;

    private static readonly object SetupLock = new();
    private static string? configuredDirectory;

    /// <summary>Whether PDFs can be made with these options (regular and bold font present).</summary>
    public static string? Problem(PdfOptions options)
    {
        return FontResolver.MissingFiles(options.FontDirectory) is { Count: > 0 } missing
            ? $"Fonts missing in {options.FontDirectory}: {string.Join(", ", missing)} (Debian package fonts-liberation)."
            : null;
    }

    public static byte[] Render(InvoiceLayout layout, string documentTitle, PdfOptions options)
    {
        EnsureSetup(options);
        using var document = new PdfDocument();
        document.Info.Title = documentTitle;
        document.Info.Author = layout.IssuerName;
        document.Info.Subject = layout.Title;

        var fonts = new Fonts();
        var pages = new List<PdfPage>();
        var page = NewPage(document, pages);
        var g = XGraphics.FromPdfPage(page);
        try
        {
            DrawLetterHead(g, layout, fonts);
            var y = DrawTableHeader(g, fonts, 318);
            foreach (var row in layout.Rows)
            {
                var description = Wrap(g, row.Description, fonts.Body, 228);
                var height = description.Count * 12 + 6;
                if (y + height > ContentBottom)
                {
                    g.Dispose();
                    page = NewPage(document, pages);
                    g = XGraphics.FromPdfPage(page);
                    y = DrawTableHeader(g, fonts, 70);
                }

                Text(g, row.Position, fonts.Body, Left, y);
                for (var i = 0; i < description.Count; i++)
                {
                    Text(g, description[i], fonts.Body, Left + 28, y + i * 12);
                }

                TextRight(g, row.Quantity, fonts.Body, 352, y);
                Text(g, row.Unit, fonts.Body, 358, y);
                TextRight(g, row.UnitPrice, fonts.Body, 470, y);
                TextRight(g, row.Amount, fonts.Body, Right, y);
                y += height;
            }

            var notesHeight = 16 * layout.Totals.Count + 10 + layout.Notes.Sum(n => Wrap(g, n, fonts.Body, Right - Left).Count * 12 + 4);
            if (y + notesHeight > ContentBottom)
            {
                g.Dispose();
                page = NewPage(document, pages);
                g = XGraphics.FromPdfPage(page);
                y = 70;
            }

            g.DrawLine(XPens.Black, 330, y, Right, y);
            y += 6;
            foreach (var (label, value, strong) in layout.Totals)
            {
                var font = strong ? fonts.Bold : fonts.Body;
                Text(g, label, font, 330, y);
                TextRight(g, value, font, Right, y);
                y += 16;
            }

            y += 12;
            foreach (var note in layout.Notes)
            {
                foreach (var line in Wrap(g, note, fonts.Body, Right - Left))
                {
                    Text(g, line, fonts.Body, Left, y);
                    y += 12;
                }

                y += 4;
            }
        }
        finally
        {
            g.Dispose();
        }

        for (var i = 0; i < pages.Count; i++)
        {
            using var footer = XGraphics.FromPdfPage(pages[i], XGraphicsPdfPageOptions.Append);
            DrawFooter(footer, layout, fonts, i + 1, pages.Count);
            if (layout.IsDraft)
            {
                DrawDraftMark(footer, fonts);
            }
        }

        using var stream = new MemoryStream();
        document.Save(stream, closeStream: false);
        return stream.ToArray();
    }

    private static PdfPage NewPage(PdfDocument document, List<PdfPage> pages)
    {
        var page = document.AddPage();
        page.Size = PageSize.A4;
        pages.Add(page);
        return page;
    }

    private static void DrawLetterHead(XGraphics g, InvoiceLayout layout, Fonts fonts)
    {
        Text(g, layout.IssuerName, fonts.Brand, Left, 45);

        // Sender line and address field (DIN 5008 form B: the window starts 45 mm from the top).
        Text(g, layout.SenderLine, fonts.Tiny, Left, 128);
        g.DrawLine(new XPen(XColors.Gray, 0.4), Left, 138, Left + Math.Min(g.MeasureString(layout.SenderLine, fonts.Tiny).Width, 240), 138);
        var y = 146.0;
        foreach (var line in layout.RecipientLines)
        {
            Text(g, line, fonts.Body, Left, y);
            y += 13;
        }

        y = 128.0;
        foreach (var (label, value) in layout.Facts)
        {
            Text(g, label, fonts.Small, 345, y);
            TextRight(g, value, fonts.SmallBold, Right, y);
            y += 13;
        }

        Text(g, layout.Title, fonts.Title, Left, 258);
        var introY = 284.0;
        foreach (var line in Wrap(g, layout.Intro, fonts.Body, Right - Left))
        {
            Text(g, line, fonts.Body, Left, introY);
            introY += 12;
        }
    }

    private static double DrawTableHeader(XGraphics g, Fonts fonts, double y)
    {
        Text(g, "Pos.", fonts.SmallBold, Left, y);
        Text(g, "Beschreibung", fonts.SmallBold, Left + 28, y);
        TextRight(g, "Menge", fonts.SmallBold, 352, y);
        Text(g, "Einheit", fonts.SmallBold, 358, y);
        TextRight(g, "Einzelpreis", fonts.SmallBold, 470, y);
        TextRight(g, "Betrag", fonts.SmallBold, Right, y);
        g.DrawLine(XPens.Black, Left, y + 13, Right, y + 13);
        return y + 20;
    }

    private static void DrawFooter(XGraphics g, InvoiceLayout layout, Fonts fonts, int page, int pages)
    {
        g.DrawLine(new XPen(XColors.Gray, 0.4), Left, FooterTop - 6, Right, FooterTop - 6);
        var width = (Right - Left) / 3;
        for (var c = 0; c < layout.FooterColumns.Count; c++)
        {
            var y = FooterTop;
            foreach (var line in layout.FooterColumns[c])
            {
                Text(g, line, fonts.Tiny, Left + c * width, y);
                y += 9;
            }
        }

        TextRight(g, $"Seite {page} von {pages}", fonts.Tiny, Right, 822);
    }

    private static void DrawDraftMark(XGraphics g, Fonts fonts)
    {
        var state = g.Save();
        g.RotateAtTransform(-35, new XPoint(297, 420));
        g.DrawString("ENTWURF", fonts.Watermark, new XSolidBrush(XColor.FromArgb(60, 200, 0, 0)), new XRect(0, 380, 595, 80), XStringFormats.Center);
        g.Restore(state);
    }

    private static void Text(XGraphics g, string text, XFont font, double x, double y) =>
        g.DrawString(text, font, XBrushes.Black, new XRect(x, y, 1000, 20), XStringFormats.TopLeft);

    private static void TextRight(XGraphics g, string text, XFont font, double right, double y) =>
        g.DrawString(text, font, XBrushes.Black, new XRect(right - 1000, y, 1000, 20), XStringFormats.TopRight);

    private static List<string> Wrap(XGraphics g, string text, XFont font, double width)
    {
        var lines = new List<string>();
        var current = "";
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = current.Length == 0 ? word : current + " " + word;
            if (current.Length > 0 && g.MeasureString(candidate, font).Width > width)
            {
                lines.Add(current);
                current = word;
            }
            else
            {
                current = candidate;
            }
        }

        if (current.Length > 0 || lines.Count == 0)
        {
            lines.Add(current);
        }

        return lines;
    }

    private static void EnsureSetup(PdfOptions options)
    {
        if (Problem(options) is { } problem)
        {
            throw new InvalidOperationException(problem);
        }

        lock (SetupLock)
        {
            // PDFsharp's resolver is process-wide and may be set once; the first directory wins.
            if (configuredDirectory is null)
            {
                GlobalFontSettings.FontResolver = new FontResolver(options.FontDirectory);
                configuredDirectory = options.FontDirectory;
            }
        }
    }

    private sealed class Fonts
    {
        public XFont Brand { get; } = new(Family, 16, XFontStyleEx.Bold);
        public XFont Title { get; } = new(Family, 15, XFontStyleEx.Bold);
        public XFont Body { get; } = new(Family, 9.5);
        public XFont Bold { get; } = new(Family, 9.5, XFontStyleEx.Bold);
        public XFont Small { get; } = new(Family, 8.5);
        public XFont SmallBold { get; } = new(Family, 8.5, XFontStyleEx.Bold);
        public XFont Tiny { get; } = new(Family, 7);
        public XFont Watermark { get; } = new(Family, 72, XFontStyleEx.Bold);
    }

    /// <summary>Every family name maps to Liberation Sans (regular, bold, italic, bold italic) from one directory.</summary>
    private sealed class FontResolver(string directory) : IFontResolver
    {
        private static readonly string[] Faces = ["LiberationSans-Regular", "LiberationSans-Bold", "LiberationSans-Italic", "LiberationSans-BoldItalic"];

        public static List<string> MissingFiles(string directory) =>
            Faces.Take(2).Where(f => !File.Exists(Path.Combine(directory, f + ".ttf"))).Select(f => f + ".ttf").ToList();

        public FontResolverInfo ResolveTypeface(string familyName, bool bold, bool italic)
        {
            var face = (bold, italic) switch
            {
                (true, true) => Faces[3],
                (true, false) => Faces[1],
                (false, true) => Faces[2],
                _ => Faces[0],
            };
            return File.Exists(Path.Combine(directory, face + ".ttf")) ? new FontResolverInfo(face) : new FontResolverInfo(bold ? Faces[1] : Faces[0]);
        }

        public byte[] GetFont(string faceName) => File.ReadAllBytes(Path.Combine(directory, faceName + ".ttf"));
    }
}
