using System.Text.Json.Nodes;
using Bunit;
using Microsoft.AspNetCore.Components;
using VoiceAgent.Activities.Dialog;
using VoiceAgent.Designer.Canvas;
using VoiceAgent.Designer.Properties;
using VoiceAgent.Flows.Descriptors;
using VoiceAgent.Flows.Validation;

namespace VoiceAgent.Web.Tests.Designer;

/// <summary>The property panel's views (nothing, several, connection, note, activity) with the TypeScript panel's test
/// ids, and the records it hands to the page.</summary>
public sealed class PropertiesPanelTests : EditorsTestBase
{
    private static readonly IReadOnlyDictionary<string, ActivityDescriptor> Descriptors =
        ActivityRegistry.FromAssemblies(typeof(Speak).Assembly).Descriptors.ToDictionary(d => d.Type);

    private static readonly IReadOnlyList<CanvasNodeRef> Nodes =
    [
        new("speak1", "speak1 (Sprechen)"),
        new("ask1", "ask1 (KI fragen)"),
        new("hangup1", "hangup1 (Auflegen)"),
        new("Ärger", "Ärger (Sprechen)"),
    ];

    private readonly List<PropertyEdit> _edits = [];
    private readonly List<NoteEdit> _notes = [];
    private readonly List<OutcomeLink> _links = [];
    private readonly List<string> _focused = [];
    private int _deleted;

    private IRenderedComponent<PropertyPanel> Panel(CanvasSelection selection, DesignerProblems? problems = null) =>
        Render<PropertyPanel>(p => p
            .Add(x => x.Selection, selection)
            .Add(x => x.Descriptors, Descriptors)
            .Add(x => x.Options, Options)
            .Add(x => x.Variables, Options.Variables)
            .Add(x => x.Problems, problems ?? DesignerProblems.None)
            .Add(x => x.Nodes, Nodes)
            .Add(x => x.FlowName, "Terminannahme")
            .Add(x => x.Language, "de")
            .Add(x => x.OnInput, _edits.Add)
            .Add(x => x.OnNoteText, _notes.Add)
            .Add(x => x.OnConnect, _links.Add)
            .Add(x => x.OnDeleteSelection, () => _deleted++)
            .Add(x => x.OnFocusNode, _focused.Add));

    private static CanvasSelection Speak(string text = "Guten Tag", string? target = "hangup1") => new(
        "node", 1, "speak1", "Speak", new JsonObject { ["text"] = text },
        Outcomes: [new CanvasOutcome("Done", target)]);

    [Fact]
    public void Nothing_selected_shows_the_flow_a_node_finder_and_the_flows_problems()
    {
        var problems = new DesignerProblems([
            new ValidationError("speak1", "unconnected", "Der Ausgang „Done“ ist nicht verbunden."),
            new ValidationError(null, "no-start", "Der Ablauf braucht genau einen Start."),
        ]);
        var panel = Panel(CanvasSelection.None, problems);

        Assert.Equal("Terminannahme", panel.Find("h2").TextContent);
        Assert.Equal("Baustein finden", panel.Find("label[for='va-find-node']").TextContent);
        var find = panel.Find("select#va-find-node[data-testid=find-node]");
        // German collation: "Ärger" sorts with the a's.
        Assert.Equal(["", "Ärger", "ask1", "hangup1", "speak1"], find.QuerySelectorAll("option").Select(o => o.GetAttribute("value")));

        var list = panel.Find("[data-testid=flow-problems]");
        Assert.Equal("2", list.GetAttribute("data-count"));
        Assert.Equal(["speak1: Der Ausgang „Done“ ist nicht verbunden.", "Der Ablauf braucht genau einen Start."],
            list.QuerySelectorAll("li").Select(li => li.TextContent));
        Assert.Single(list.QuerySelectorAll("button"));

        panel.Find("[data-testid=flow-problems] button").Click();
        panel.Find("[data-testid=find-node]").Change("hangup1");
        panel.Find("[data-testid=find-node]").Change("");
        Assert.Equal(["speak1", "hangup1"], _focused);
    }

    [Fact]
    public void A_valid_flow_says_so()
    {
        var panel = Panel(CanvasSelection.None);

        var valid = panel.Find("[data-testid=flow-problems]");
        Assert.Equal("0", valid.GetAttribute("data-count"));
        Assert.Equal("Der Ablauf ist gültig.", valid.TextContent);
    }

    [Fact]
    public void Several_cells_show_their_number_and_can_be_deleted()
    {
        var panel = Panel(new CanvasSelection("many", 3));

        Assert.Equal("3 Elemente ausgewählt.", panel.Find("[data-testid=selection-count]").TextContent);
        panel.Find("button[data-testid=delete-selection]").Click();
        Assert.Equal(1, _deleted);
    }

    [Fact]
    public void A_connection_names_its_ends_and_can_be_deleted()
    {
        var panel = Panel(new CanvasSelection("edge", 1, "e1", From: "speak1", Outcome: "Done", To: "hangup1"));

        Assert.Equal("speak1 (Sprechen) – Done → hangup1 (Auflegen)", panel.Find("[data-testid=edge-text]").TextContent);
        panel.Find("button[data-testid=delete-edge]").Click();
        Assert.Equal(1, _deleted);
    }

    [Fact]
    public void A_note_previews_while_typing_and_commits_when_left()
    {
        var panel = Panel(new CanvasSelection("note", 1, "note1", Text: "Alt"));

        Assert.Equal("Notiz", panel.Find("[data-testid=props-title]").TextContent);
        var field = panel.Find("textarea#va-note-text[data-testid=note-text]");
        Assert.Equal("Alt", field.GetAttribute("value"));
        Assert.Equal("2000", field.GetAttribute("maxlength"));
        Assert.Equal("Text der Notiz", panel.Find("label[for='va-note-text']").TextContent);

        panel.Find("[data-testid=note-text]").Input("Bitte prüfen");
        Assert.StartsWith("12 von 2000 Zeichen.", panel.Find("#va-note-hint").TextContent);
        panel.Find("[data-testid=note-text]").Change("Bitte prüfen");
        panel.Find("[data-testid=note-text]").Change("Bitte prüfen");

        Assert.Equal([new NoteEdit("note1", "Bitte prüfen", EditMode.Preview), new NoteEdit("note1", "Bitte prüfen", EditMode.Commit)], _notes);
    }

    [Fact]
    public void Deleting_a_note_commits_what_was_typed_first()
    {
        var panel = Panel(new CanvasSelection("note", 1, "note1", Text: ""));

        panel.Find("[data-testid=note-text]").Input("Neu");
        panel.Find("button[data-testid=delete-note]").Click();

        Assert.Equal(EditMode.Commit, _notes.Last().Mode);
        Assert.Equal(1, _deleted);
    }

    [Fact]
    public void A_node_shows_its_title_id_errors_a_labelled_field_per_input_and_its_outcome_targets()
    {
        var problems = new DesignerProblems([
            new ValidationError("speak1", "required", "Pflichtfeld „Text“ fehlt."),
            new ValidationError("hangup1", "x", "Anderer Baustein."),
        ]);
        var panel = Panel(Speak(), problems);

        Assert.Equal("Sprechen", panel.Find("[data-testid=props-title]").TextContent);
        Assert.Equal("speak1", panel.Find("[data-testid=props-id]").TextContent);
        var errors = panel.Find("[data-testid=node-errors]");
        Assert.Equal("1", errors.GetAttribute("data-count"));
        Assert.Equal("Pflichtfeld „Text“ fehlt.", errors.TextContent.Trim());

        var text = panel.Find("[data-testid=field-text]");
        Assert.Equal("text-template", text.GetAttribute("data-hint"));
        Assert.Equal("va-in-text", text.QuerySelector("label")!.GetAttribute("for"));
        Assert.Contains("required", text.QuerySelector("label")!.ClassList);
        Assert.Equal("Guten Tag", panel.Find("input#va-in-text").GetAttribute("value"));
        Assert.Equal("voice-picker", panel.Find("[data-testid=field-voice]").GetAttribute("data-hint"));
        Assert.NotNull(panel.Find("[data-testid=field-voice] select#va-in-voice"));
        Assert.True(panel.Find("[data-testid=field-interruptible] input[type=checkbox]").HasAttribute("checked"));
        // Every control is named by its field's label.
        Assert.All(panel.FindAll("[data-testid^=field-] label[for]"), l => Assert.NotNull(panel.Find("#" + l.GetAttribute("for"))));

        Assert.Equal("Ausgang „Weiter“ führt zu", panel.Find("label[for='va-out-0']").TextContent);
        var target = panel.Find("select#va-out-0[data-testid=outcome-Done]");
        Assert.Equal("— nicht verbunden —", target.QuerySelector("option[value='']")!.TextContent);
        Assert.True(target.QuerySelector("option[value=hangup1]")!.HasAttribute("selected"));
        Assert.Equal(5, target.QuerySelectorAll("option").Length);
    }

    [Fact]
    public void Editing_a_field_sends_previews_and_one_commit_for_the_node()
    {
        var panel = Panel(Speak());

        panel.Find("#va-in-text").Input("Hallo");
        panel.Find("#va-in-text").Change("Hallo!");
        panel.Find("#va-in-voice").Change("alloy");
        panel.Find("#va-in-text").Change("");

        Assert.Equal(
            [("text", "\"Hallo\"", EditMode.Preview), ("text", "\"Hallo!\"", EditMode.Commit), ("voice", "\"alloy\"", EditMode.Commit), ("text", null, EditMode.Commit)],
            _edits.Select(e => (e.Name, Json(e.Value), e.Mode)));
        Assert.All(_edits, e => Assert.Equal("speak1", e.NodeId));
    }

    [Fact]
    public void Choosing_an_outcome_target_connects_or_disconnects_it()
    {
        var panel = Panel(Speak(target: null));
        Assert.True(panel.Find("[data-testid=outcome-Done] option[value='']").HasAttribute("selected"));

        panel.Find("[data-testid=outcome-Done]").Change("Ärger");
        Assert.True(panel.Find("[data-testid=outcome-Done] option[value='Ärger']").HasAttribute("selected"));
        panel.Find("[data-testid=outcome-Done]").Change("");

        Assert.Equal([new OutcomeLink("speak1", "Done", "Ärger"), new OutcomeLink("speak1", "Done", null)], _links);
    }

    [Fact]
    public void Ask_has_an_outcome_per_intent_and_removing_an_intent_is_one_commit_of_the_shorter_list()
    {
        var ask = new CanvasSelection("node", 1, "ask1", "Ask", new JsonObject { ["intents"] = new JsonArray("book_appointment", "human") },
            Outcomes: [new("book_appointment", "speak1"), new("human", "hangup1"), new("Unknown", null), new("Failed", null)]);
        var panel = Panel(ask);

        Assert.Equal(["outcome-book_appointment", "outcome-human", "outcome-Unknown", "outcome-Failed"],
            panel.FindAll("select[data-testid^=outcome-]").Select(s => s.GetAttribute("data-testid")));
        Assert.Equal("Ausgang „Unklar“ führt zu", panel.Find("label[for='va-out-2']").TextContent);
        Assert.Equal("Ausgang „human“ führt zu", panel.Find("label[for='va-out-1']").TextContent);

        panel.Find("[data-testid=field-intents] input[data-intent=human]").Change(false);

        var edit = Assert.Single(_edits);
        Assert.Equal(("ask1", "intents", "[\"book_appointment\"]", EditMode.Commit), (edit.NodeId, edit.Name, Json(edit.Value), edit.Mode));
        // The panel follows at once (the canvas removes the connection of the outcome that disappeared).
        Assert.Empty(panel.FindAll("[data-testid=outcome-human]"));
        Assert.True(panel.Find("[data-testid=outcome-book_appointment] option[value=speak1]").HasAttribute("selected"));
    }

    [Fact]
    public void A_connection_on_an_outcome_the_activity_no_longer_has_stays_visible()
    {
        var panel = Panel(Speak() with { Outcomes = [new("Done", null), new("Legacy", "hangup1")] });

        Assert.Equal(["outcome-Done", "outcome-Legacy"], panel.FindAll("select[data-testid^=outcome-]").Select(s => s.GetAttribute("data-testid")));
        Assert.True(panel.Find("[data-testid=outcome-Legacy] option[value=hangup1]").HasAttribute("selected"));
    }

    [Fact]
    public void A_new_selection_of_the_same_node_shows_its_values_afresh()
    {
        var panel = Panel(Speak("Erste Fassung"));
        panel.Find("#va-in-text").Input("Getippt");

        // The page re-renders (new problems) with the same selection: the typed text stays.
        panel.Render(p => p.Add(x => x.Problems, new DesignerProblems([new ValidationError("speak1", "x", "Fehler.")])));
        Assert.Equal("Getippt", panel.Find("#va-in-text").GetAttribute("value"));
        Assert.NotNull(panel.Find("[data-testid=node-errors]"));

        // Undo: the canvas sends a new selection object for the same node.
        panel.Render(p => p.Add(x => x.Selection, Speak("Erste Fassung")));
        Assert.Equal("Erste Fassung", panel.Find("#va-in-text").GetAttribute("value"));
    }

    [Fact]
    public void An_unknown_activity_type_is_named_and_its_outcomes_still_connectable()
    {
        var panel = Panel(new CanvasSelection("node", 1, "x1", "Gone", [], Outcomes: [new("Done", null)]));

        Assert.Equal("Unbekannter Baustein „Gone“", panel.Find("[data-testid=props-title]").TextContent);
        Assert.Empty(panel.FindAll("[data-testid^=field-]"));
        Assert.Equal("Ausgang „Done“ führt zu", panel.Find("label[for='va-out-0']").TextContent);
    }

    [Fact]
    public void English_descriptor_texts_when_the_page_is_english()
    {
        var panel = Render<PropertyPanel>(p => p
            .Add(x => x.Selection, Speak())
            .Add(x => x.Descriptors, Descriptors)
            .Add(x => x.Nodes, Nodes)
            .Add(x => x.Language, "en"));

        Assert.Equal("Speak", panel.Find("[data-testid=props-title]").TextContent);
        Assert.Equal("Voice", panel.Find("label[for='va-in-voice']").TextContent);
    }
}
