using System.Globalization;
using System.Text.Json.Nodes;
using VoiceAgent.Flows.Definitions;
using VoiceAgent.Flows.Diff;
using VoiceAgent.Flows.Runtime;
using VoiceAgent.Flows.Validation;

namespace VoiceAgent.Flows.Tests;

/// <summary>Sticky notes: stored with the definition, limited by validation, invisible to the engine.</summary>
public sealed class NoteTests
{
    public NoteTests() => CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("de-DE");

    private static FlowDefinition Valid(params FlowNote?[] notes)
    {
        var flow = Flow.Of([("s", "Start", null), ("bye", "Hangup", new { goodbye = "Tschüss" })], ("s", "Done", "bye"));
        flow.Notes = notes.Length == 0 ? null : [.. notes];
        return flow;
    }

    private static FlowNote Note(string id, string text = "Hier fragen wir nach dem Anliegen.") => new(id, text, 300, 40, 200, 120);

    [Fact]
    public void A_definition_without_notes_loads_and_is_written_without_them()
    {
        const string json = """{ "name": "Alt", "nodes": [ { "id": "s", "type": "Start" } ], "connections": [], "variables": [] }""";

        var flow = FlowJson.Parse(json);

        Assert.Null(flow.Notes);
        Assert.False(JsonNode.Parse(FlowJson.Write(flow))!.AsObject().ContainsKey("notes"));
    }

    [Fact]
    public void Notes_round_trip_through_the_json_format()
    {
        var flow = Valid(Note("note1", "Zeile 1\nZeile 2 – „Zitat“"), Note("note2"));

        var back = FlowJson.Parse(FlowJson.Write(flow));

        Assert.Equal(flow.Notes, back.Notes);
        Assert.Contains("\"notes\"", FlowJson.Write(flow));
    }

    [Fact]
    public void Valid_notes_are_no_errors() => Assert.Empty(FlowValidator.Validate(Valid(Note("note1"), Note("note2", "")), Flow.Registry));

    [Fact]
    public void More_than_a_hundred_notes_are_reported_in_german()
    {
        var flow = Valid([.. Enumerable.Range(1, FlowNote.MaxCount + 1).Select(i => Note($"note{i}"))]);

        var error = Assert.Single(FlowValidator.Validate(flow, Flow.Registry));

        Assert.Equal(ValidationCodes.TooManyNotes, error.Code);
        Assert.Equal("Der Ablauf hat 101 Notizen; erlaubt sind höchstens 100.", error.Message);
    }

    [Fact]
    public void A_note_longer_than_the_limit_is_reported_in_german()
    {
        var error = Assert.Single(FlowValidator.Validate(Valid(Note("note1", new string('x', FlowNote.MaxTextLength + 1))), Flow.Registry));

        Assert.Equal(ValidationCodes.NoteTooLong, error.Code);
        Assert.Equal("Eine Notiz ist 2001 Zeichen lang; erlaubt sind höchstens 2000.", error.Message);
    }

    [Fact]
    public void A_note_at_the_limit_is_valid() =>
        Assert.Empty(FlowValidator.Validate(Valid(Note("note1", new string('x', FlowNote.MaxTextLength))), Flow.Registry));

    [Fact]
    public void Incomplete_notes_are_reported()
    {
        var errors = FlowValidator.Validate(Valid(Note("note1"), Note("note1"), Note(""), null, Note("tiny") with { Width = 5 }), Flow.Registry);

        Assert.Equal(4, errors.Count(e => e.Code == ValidationCodes.InvalidNote));
        Assert.Contains(errors, e => e.Message == "Die Notiz „tiny“ ist unvollständig: Sie braucht eine eindeutige Kennung und eine Größe zwischen 40 und 2000.");
    }

    [Fact]
    public async Task The_engine_runs_a_flow_with_notes_as_if_they_were_not_there()
    {
        var plan = FlowPlan.Compile(Valid(Note("note1")), Flow.Registry);
        var instance = FlowRunner.NewInstance(plan, Flow.Caller());

        var result = await new FlowRunner(new Ports(), TimeProvider.System, new FlowRunnerOptions()).StartAsync(plan, instance);

        Assert.Equal(["s", "bye"], result.Visited);
    }

    [Fact]
    public void The_diff_shows_notes_added_removed_and_rewritten_but_not_moved()
    {
        var before = Valid(Note("keep"), Note("moved"), Note("gone", "Alt"), Note("edited", "Vorher"));
        var after = Valid(Note("keep"), Note("moved") with { X = 900, Width = 300 }, Note("edited", "Nachher"), Note("new", "Neu"));

        var diff = FlowDiff.Compare(before, after);

        Assert.Equal([new NoteRef("new", "Neu")], diff.NotesAdded);
        Assert.Equal([new NoteRef("gone", "Alt")], diff.NotesRemoved);
        Assert.Equal([new NoteChange("edited", "Vorher", "Nachher")], diff.NotesChanged);
        Assert.True(FlowDiff.Compare(before, Valid(Note("keep"), Note("moved") with { Y = -50 }, Note("gone", "Alt"), Note("edited", "Vorher"))).Identical);
    }
}
