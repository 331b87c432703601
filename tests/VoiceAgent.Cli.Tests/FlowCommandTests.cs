using System.Text.Json;
using VoiceAgent.CallFlows;
using VoiceAgent.Testing;

namespace VoiceAgent.Cli.Tests;

/// <summary>The offline commands need no database.</summary>
public sealed class FlowCommandTests : IDisposable
{
    private readonly string directory = FixtureDirectory.Create("cli");

    public void Dispose() => Directory.Delete(directory, recursive: true);

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

    [Fact]
    public async Task Validate_prints_valid_true_and_exits_0_for_the_sample_flow()
    {
        var (code, output, _) = await Run("flows", "validate", Write("sample.json", SampleFlows.BookingJson));

        Assert.Equal(0, code);
        Assert.True(JsonDocument.Parse(output).RootElement.GetProperty("valid").GetBoolean());
    }

    [Fact]
    public async Task Validate_prints_errors_with_node_ids_and_exits_1()
    {
        var file = Write("bad.json", """{ "nodes": [ { "id": "s", "type": "Start" }, { "id": "x", "type": "Fly" } ], "connections": [ { "from": "s", "outcome": "Done", "to": "x" } ] }""");

        var (code, output, _) = await Run("flows", "validate", file);

        Assert.Equal(1, code);
        var root = JsonDocument.Parse(output).RootElement;
        Assert.False(root.GetProperty("valid").GetBoolean());
        var error = root.GetProperty("errors").EnumerateArray().Single();
        Assert.Equal("x", error.GetProperty("nodeId").GetString());
        Assert.Equal("unknown_type", error.GetProperty("code").GetString());
        Assert.Equal("Unbekannter Aktivitätstyp „Fly“.", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Validate_reports_broken_json_and_missing_files()
    {
        var (code, output, _) = await Run("flows", "validate", Write("broken.json", "{ nodes: "));
        Assert.Equal(1, code);
        Assert.Equal("invalid_json", JsonDocument.Parse(output).RootElement.GetProperty("errors")[0].GetProperty("code").GetString());

        var missing = await Run("flows", "validate", Path.Combine(directory, "nope.json"));
        Assert.Equal(2, missing.Code);
        Assert.Contains("nicht gefunden", missing.Err);
    }

    [Fact]
    public async Task Simulate_books_in_the_in_memory_calendar_and_prints_the_dialogue()
    {
        var (code, output, _) = await Run("flows", "simulate", Write("sample.json", SampleFlows.BookingJson),
            "--say", "Ich hätte gern einen Termin am Dienstag um halb drei", "--say", "Ja", "--say", "Wann ist mein Termin?", "--say", "Tschüss",
            "--now", "2026-11-21T09:00:00", "--tz", "Europe/Berlin");

        Assert.Equal(0, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("Agent: Guten Tag, Sie sprechen mit dem KI-Assistenten von Demo Praxis. Ich bin eine künstliche Intelligenz, kein Mensch.", lines[0]);
        Assert.StartsWith("Agent: Ich kann einen Termin", lines[1]);
        Assert.Contains("Anrufer: Ja", lines);
        Assert.Contains("Agent: Der nächste freie Termin wäre am Dienstag, 24. November um 14:30 Uhr. Passt Ihnen das?", lines);
        Assert.Contains("Agent: Ihr Termin am Dienstag, 24. November um 14:30 Uhr ist eingetragen. Wir freuen uns auf Sie.", lines);
        Assert.Contains("Agent: Ihr nächster Termin ist am Dienstag, 24. November um 14:30 Uhr.", lines);
        Assert.Equal("[Gespräch beendet]", lines[^1]);
    }

    [Fact]
    public async Task Simulate_offers_the_first_weekday_slot_when_asked_on_a_saturday()
    {
        var (_, output, _) = await Run("flows", "simulate", Write("sample.json", SampleFlows.BookingJson),
            "--say", "Ich möchte einen Termin", "--now", "2026-11-21T09:00:00");

        Assert.Contains("Agent: Der nächste freie Termin wäre am Montag, 23. November um 9 Uhr. Passt Ihnen das?", output);
        Assert.EndsWith("[wartet auf den Anrufer]", output.TrimEnd());
    }

    [Theory]
    [InlineData("morgen um 10", "unknown", "2026-11-22", "10:00", null)]
    [InlineData("Ich möchte einen Termin übermorgen halb drei", "book_appointment", "2026-11-23", "14:30", null)]
    [InlineData("Wann ist mein Termin?", "query_appointments", null, null, null)]
    [InlineData("heute Nachmittag", "unknown", "2026-11-21", null, "afternoon")]
    public async Task Nlu_parse_prints_intent_date_time_and_part_of_day(string text, string intent, string? date, string? time, string? partOfDay)
    {
        var (code, output, _) = await Run("nlu", "parse", text, "--now", "2026-11-21T09:00:00", "--tz", "Europe/Berlin");

        Assert.Equal(0, code);
        var root = JsonDocument.Parse(output).RootElement;
        Assert.Equal(intent, root.GetProperty("intent").GetString());
        Assert.Equal(date, root.GetProperty("date").GetString());
        Assert.Equal(time, root.GetProperty("time").GetString());
        Assert.Equal(partOfDay, root.GetProperty("partOfDay").GetString());
    }

    [Fact]
    public async Task Nlu_parse_rejects_an_unknown_time_zone()
    {
        var (code, _, err) = await Run("nlu", "parse", "morgen", "--tz", "Mars/Olympus");
        Assert.Equal(2, code);
        Assert.Contains("Unbekannte Zeitzone", err);
    }
}

public sealed class TelephonyCommandTests
{
    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await Cli.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString().Trim(), stderr.ToString().Trim());
    }

    [Theory]
    [InlineData("030 1234567", "DE", "+49301234567")]
    [InlineData("+49 (0)30 1234567", null, "+49301234567")]
    [InlineData("01 5812345", "AT", "+4315812345")]
    [InlineData("044 668 18 00", "CH", "+41446681800")]
    public async Task Numbers_normalize_prints_e164(string input, string? region, string expected)
    {
        var (code, output, _) = region is null ? await Run("numbers", "normalize", input) : await Run("numbers", "normalize", input, "--region", region);
        Assert.Equal(0, code);
        Assert.Equal(expected, output);
    }

    [Theory]
    [InlineData("110", "110")]
    [InlineData("+49 900 1234567", "0900")]
    [InlineData("030 1234567", "Vorwahl")]
    public async Task Numbers_normalize_exits_1_with_the_reason(string input, string inMessage)
    {
        var (code, output, error) = await Run("numbers", "normalize", input);
        Assert.Equal(1, code);
        Assert.Empty(output);
        Assert.Contains(inMessage, error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Twilio_signature_matches_the_published_example()
    {
        var (code, output, _) = await Run("twilio", "signature", "--auth-token", "12345", "--url", "https://mycompany.com/myapp.php?foo=1&bar=2",
            "--param", "CallSid=CA1234567890ABCDE", "--param", "Caller=+14158675309", "--param", "Digits=1234",
            "--param", "From=+14158675309", "--param", "To=+18005551212");
        Assert.Equal(0, code);
        Assert.Equal("RSOYDt4T1cUTdK1PDd93/VVr8B8=", output);
    }
}
