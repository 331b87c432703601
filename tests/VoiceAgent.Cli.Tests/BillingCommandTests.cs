using System.Globalization;
using System.Text.Json;
using VoiceAgent.Testing;

namespace VoiceAgent.Cli.Tests;

/// <summary><c>billing preview</c> needs no database.</summary>
public sealed class BillingCommandTests : IDisposable
{
    private const string Plan = """
        "plan": { "baseFeeCents": 4900, "includedBotMinutes": 100, "includedForwardMinutes": 30, "botRateCents": 12, "forwardRateCents": 9, "increment": "second" }
        """;

    private readonly string directory = FixtureDirectory.Create("billing");

    public BillingCommandTests() => CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("de-DE");

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public async Task Preview_prints_the_contract_shape_with_exact_cents()
    {
        var file = Write("case.json", $$"""
            { {{Plan}},
              "tenant": { "country": "AT", "vatId": "ATU12345678", "startDate": null },
              "packages": [],
              "usage": [ { "kind": "bot", "start": "2026-01-10T10:00:00+01:00", "seconds": 6750 } ] }
            """);

        var (code, output, error) = await Run("billing", "preview", file, "--period", "2026-01");

        Assert.Equal(0, code);
        Assert.Empty(error);
        var root = JsonDocument.Parse(output).RootElement;
        Assert.Equal(["lines", "netCents", "taxRatePercent", "taxCents", "grossCents"], root.EnumerateObject().Take(5).Select(p => p.Name));
        var lines = root.GetProperty("lines").EnumerateArray().ToArray();
        Assert.All(lines, l => Assert.Equal(["description", "quantity", "unitPriceCents", "amountCents"], l.EnumerateObject().Select(p => p.Name)));
        Assert.Equal(
            [("Grundgebühr Januar 2026", "1", "4900", "4900"), ("Bot-Minuten über Inklusivvolumen", "12.5", "12", "150")],
            lines.Select(l => (l.GetProperty("description").GetString(), l.GetProperty("quantity").GetRawText(),
                l.GetProperty("unitPriceCents").GetRawText(), l.GetProperty("amountCents").GetRawText())));
        Assert.Equal(5050, root.GetProperty("netCents").GetInt64());
        Assert.Equal(0, root.GetProperty("taxRatePercent").GetDecimal());
        Assert.Equal(0, root.GetProperty("taxCents").GetInt64());
        Assert.Equal(5050, root.GetProperty("grossCents").GetInt64());
        Assert.Equal("reverse_charge", root.GetProperty("taxRule").GetString());
        Assert.Equal("Steuerschuldnerschaft des Leistungsempfängers (Reverse Charge, § 13b UStG)", root.GetProperty("taxNote").GetString());
    }

    [Fact]
    public async Task The_documented_example_prints_exactly_what_the_docs_show()
    {
        var docs = Path.Combine(RepositoryRoot(), "docs");

        var (code, output, _) = await Run("billing", "preview", Path.Combine(docs, "billing-example.json"), "--period", "2026-01");

        Assert.Equal(0, code);
        var markdown = File.ReadAllText(Path.Combine(docs, "billing.md"));
        var start = markdown.IndexOf("```json\n", markdown.IndexOf("<!-- billing-preview-output", StringComparison.Ordinal), StringComparison.Ordinal) + 8;
        var documented = markdown[start..markdown.IndexOf("\n```", start, StringComparison.Ordinal)];
        Assert.Equal(documented, output.TrimEnd());
        Assert.Contains("\"grossCents\": 4094", output);
    }

    [Theory]
    [InlineData("{ \"plan\": ", "Kein gültiges JSON (Zeile 1, Spalte 11).")]
    [InlineData("{ \"tenant\": { \"country\": \"DE\", \"vatId\": null, \"startDate\": null }, \"packages\": [], \"usage\": [] }", "plan fehlt.")]
    [InlineData("{ \"plan\": {}, \"tenant\": { \"country\": \"DE\", \"vatId\": null, \"startDate\": null }, \"packages\": [], \"usage\": [] }", "plan.increment fehlt.")]
    [InlineData("{ \"plan\": {}, \"tenant\": { \"country\": \"Deutschland\", \"vatId\": null, \"startDate\": null }, \"packages\": [], \"usage\": [] }", "tenant.country muss ein Ländercode nach ISO 3166 sein")]
    public async Task Bad_cases_exit_1_with_the_german_reason(string json, string reason)
    {
        var file = Write("bad.json", json);

        var (code, output, error) = await Run("billing", "preview", file, "--period", "2026-01");

        Assert.Equal(1, code);
        Assert.Empty(output);
        Assert.StartsWith($"{file} ist kein gültiger Abrechnungsfall:", error);
        Assert.Contains("  " + reason, error);
    }

    [Theory]
    [InlineData("2026-13")]
    [InlineData("Januar")]
    [InlineData("2026-1")]
    public async Task A_bad_period_exits_1(string period)
    {
        var file = Write("case.json", "{}");

        var (code, output, error) = await Run("billing", "preview", file, "--period", period);

        Assert.Equal(1, code);
        Assert.Empty(output);
        Assert.Equal($"Ungültiger Zeitraum „{period}“: erwartet wird JJJJ-MM, z. B. 2026-01.", error.Trim());
    }

    [Fact]
    public async Task A_missing_file_exits_1()
    {
        var missing = Path.Combine(directory, "nope.json");

        var (code, _, error) = await Run("billing", "preview", missing, "--period", "2026-01");

        Assert.Equal(1, code);
        Assert.Equal($"Datei „{missing}“ nicht gefunden.", error.Trim());
    }

    [Theory]
    [InlineData("billing", "preview", "--period", "2026-01")]
    [InlineData("billing", "preview", "case.json")]
    public async Task Missing_arguments_are_a_usage_error(params string[] args)
    {
        var (code, _, error) = await Run(args);

        Assert.Equal(2, code);
        Assert.Contains("Aufruf: voiceagent billing preview CASE.json --period JJJJ-MM", error);
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await Cli.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static string RepositoryRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "VoiceAgent.sln")))
        {
            dir = Path.GetDirectoryName(dir)!;
        }

        return dir;
    }
}
