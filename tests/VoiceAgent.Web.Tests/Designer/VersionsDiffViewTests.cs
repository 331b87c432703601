using System.Text.Json.Nodes;
using Bunit;
using VoiceAgent.Designer.Versions;
using VoiceAgent.Flows.Definitions;
using VoiceAgent.Flows.Descriptors;
using VoiceAgent.Flows.Diff;
using VoiceAgent.Web.Tests.Components;

namespace VoiceAgent.Web.Tests.Designer;

/// <summary>The versions panel's diff from a fixed diff result: sections with their test ids, German names, before → after.</summary>
public sealed class VersionsDiffViewTests : MudComponentTest
{
    private static readonly IReadOnlyList<ActivityDescriptor> Activities =
        ActivityRegistry.FromAssemblies(typeof(VoiceAgent.Activities.Variables).Assembly).Descriptors;

    private static FlowDiffResult Diff(
        IReadOnlyList<NodeRef>? nodesAdded = null,
        IReadOnlyList<NodeRef>? nodesRemoved = null,
        IReadOnlyList<NodeChange>? nodesChanged = null,
        IReadOnlyList<FlowConnection>? connectionsAdded = null,
        IReadOnlyList<FlowConnection>? connectionsRemoved = null,
        IReadOnlyList<VariableRef>? variablesAdded = null,
        IReadOnlyList<VariableRef>? variablesRemoved = null,
        IReadOnlyList<VariableChange>? variablesChanged = null,
        IReadOnlyList<NoteRef>? notesAdded = null,
        IReadOnlyList<NoteRef>? notesRemoved = null,
        IReadOnlyList<NoteChange>? notesChanged = null) =>
        new(nodesAdded ?? [], nodesRemoved ?? [], nodesChanged ?? [], connectionsAdded ?? [], connectionsRemoved ?? [],
            variablesAdded ?? [], variablesRemoved ?? [], variablesChanged ?? [], notesAdded ?? [], notesRemoved ?? [], notesChanged ?? []);

    private IRenderedComponent<DiffView> RenderDiff(FlowDiffResult diff, int from = 1, int to = 2) =>
        Render<DiffView>(p => p.Add(v => v.Diff, diff).Add(v => v.From, from).Add(v => v.To, to).Add(v => v.Activities, Activities));

    [Fact]
    public void A_changed_speak_text_names_the_node_its_activity_the_input_and_the_text_before_and_after()
    {
        var view = RenderDiff(Diff(nodesChanged:
            [new NodeChange("greeting", "Speak", [new InputChange("text", JsonValue.Create("Guten Tag"), JsonValue.Create("Willkommen in der Praxis!"))])]));

        Assert.Contains("Unterschiede von Version 1 zu Version 2", view.Find("[data-testid='diff-view'] h3").TextContent);
        var changed = view.Find("[data-testid='diff-nodes-changed']");
        Assert.Equal("Geänderte Eigenschaften", changed.QuerySelector("h4")!.TextContent);
        var node = changed.QuerySelector("li[data-node='greeting']")!;
        Assert.StartsWith("greeting (Sprechen)", node.TextContent);
        Assert.Equal("Text", node.QuerySelector("dt")!.TextContent);
        Assert.Equal("Guten Tag", node.QuerySelector(".va-diff-before")!.TextContent);
        Assert.Equal("Willkommen in der Praxis!", node.QuerySelector(".va-diff-after")!.TextContent);
        // Only sections with entries appear.
        Assert.Single(view.FindAll("section"));
        Assert.Empty(view.FindAll("[data-testid='diff-nodes-added']"));
    }

    [Fact]
    public void Added_and_removed_nodes_and_connections_and_a_type_change_are_listed_in_their_sections()
    {
        var view = RenderDiff(Diff(
            nodesAdded: [new NodeRef("ask", "Listen")],
            nodesRemoved: [new NodeRef("bye", "Hangup"), new NodeRef("legacy", "NoSuchActivity")],
            nodesChanged: [new NodeChange("hello", "Hangup", [], TypeBefore: "Speak")],
            connectionsAdded: [new FlowConnection("hello", "Done", "ask")],
            connectionsRemoved: [new FlowConnection("hello", "Done", "bye")]), from: 3, to: 5);

        Assert.Contains("Unterschiede von Version 3 zu Version 5", view.Markup);
        var added = view.Find("[data-testid='diff-nodes-added']");
        Assert.Equal("Neue Bausteine", added.QuerySelector("h4")!.TextContent);
        Assert.Equal("ask (Zuhören)", added.QuerySelector("li")!.TextContent);
        var removed = view.Find("[data-testid='diff-nodes-removed']");
        Assert.Equal("Entfernte Bausteine", removed.QuerySelector("h4")!.TextContent);
        // An unknown activity shows its type as it is.
        Assert.Equal(["bye (Auflegen)", "legacy (NoSuchActivity)"], removed.QuerySelectorAll("li").Select(li => li.TextContent));
        Assert.StartsWith("hello (Sprechen → Auflegen)", view.Find("[data-testid='diff-nodes-changed'] li[data-node='hello']").TextContent);
        Assert.Equal("hello – Done → ask", view.Find("[data-testid='diff-connections-added'] li").TextContent);
        Assert.Equal("Neue Verbindungen", view.Find("[data-testid='diff-connections-added'] h4").TextContent);
        Assert.Equal("hello – Done → bye", view.Find("[data-testid='diff-connections-removed'] li").TextContent);
        Assert.Contains("va-diff-added", added.ClassName);
        Assert.Contains("va-diff-removed", removed.ClassName);
    }

    [Fact]
    public void Variables_and_notes_show_values_as_json_and_empty_values_as_leer()
    {
        var view = RenderDiff(Diff(
            variablesAdded: [new VariableRef("kunde", new JsonObject { ["name"] = "Müller", ["vip"] = true })],
            variablesRemoved: [new VariableRef("alt", null)],
            variablesChanged: [new VariableChange("anzahl", JsonValue.Create(1), null)],
            notesAdded: [new NoteRef("n1", "Hier fehlt noch die Öffnungszeit")],
            notesRemoved: [new NoteRef("n2", "")],
            notesChanged: [new NoteChange("n3", "alt", "neu")]));

        Assert.Equal("kunde = {\"name\":\"Müller\",\"vip\":true}", view.Find("[data-testid='diff-variables-added'] li").TextContent);
        Assert.Equal("alt", view.Find("[data-testid='diff-variables-removed'] li").TextContent);
        var changed = view.Find("[data-testid='diff-variables-changed'] li");
        Assert.Equal("1", changed.QuerySelector(".va-diff-before")!.TextContent);
        Assert.Equal("(leer)", changed.QuerySelector(".va-diff-after")!.TextContent);
        Assert.Equal("Neue Notizen", view.Find("[data-testid='diff-notes-added'] h4").TextContent);
        Assert.Equal("Hier fehlt noch die Öffnungszeit", view.Find("[data-testid='diff-notes-added'] li").TextContent);
        Assert.Equal("(leer)", view.Find("[data-testid='diff-notes-removed'] li").TextContent);
        Assert.Equal("alt → neu", view.Find("[data-testid='diff-notes-changed'] li").TextContent);
    }

    [Fact]
    public void Identical_versions_say_there_are_no_differences()
    {
        var view = RenderDiff(Diff(), from: 2, to: 2);

        Assert.Contains("Keine Unterschiede.", view.Find("[data-testid='diff-view']").TextContent);
        Assert.Empty(view.FindAll("section"));
    }
}
