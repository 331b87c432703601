using System.Text.Json;
using System.Text.Json.Nodes;
using VoiceAgent.Flows.Definitions;
using VoiceAgent.Flows.Diff;

namespace VoiceAgent.Flows.Tests;

public sealed class FlowDiffTests
{
    private const string Base = """
        {
          "name": "Rezeption",
          "nodes": [
            { "id": "start", "type": "Start", "position": { "x": 0, "y": 0 } },
            { "id": "hello", "type": "Speak", "inputs": { "text": "Guten Tag!", "interruptible": true }, "position": { "x": 0, "y": 120 } },
            { "id": "find", "type": "FindSlots", "inputs": { "durationMinutes": 30, "count": 3 }, "position": { "x": 0, "y": 240 } },
            { "id": "bye", "type": "Hangup", "inputs": { "goodbye": "Auf Wiederhören" }, "position": { "x": 0, "y": 360 } }
          ],
          "connections": [
            { "from": "start", "outcome": "Done", "to": "hello" },
            { "from": "hello", "outcome": "Done", "to": "find" },
            { "from": "find", "outcome": "Found", "to": "bye" },
            { "from": "find", "outcome": "NotFound", "to": "bye" }
          ],
          "variables": [ { "name": "tenant", "default": { "name": "Praxis", "city": "Berlin" } } ]
        }
        """;

    private static FlowDefinition Parse(string json) => FlowJson.Parse(json);

    private static FlowDefinition Edit(Action<JsonObject> change)
    {
        var root = JsonNode.Parse(Base)!.AsObject();
        change(root);
        return Parse(root.ToJsonString());
    }

    private static JsonObject Node(JsonObject root, string id) =>
        root["nodes"]!.AsArray().Select(n => n!.AsObject()).Single(n => (string?)n["id"] == id);

    [Fact]
    public void A_definition_equals_itself()
    {
        var diff = FlowDiff.Compare(Parse(Base), Parse(Base));

        Assert.True(diff.Identical);
        Assert.Empty(diff.NodesChanged);
    }

    [Fact]
    public void A_changed_speak_text_is_one_input_change_with_before_and_after()
    {
        var after = Edit(root => Node(root, "hello")["inputs"]!["text"] = "Willkommen in der Praxis!");

        var diff = FlowDiff.Compare(Parse(Base), after);

        var change = Assert.Single(diff.NodesChanged);
        Assert.Equal("hello", change.Id);
        Assert.Equal("Speak", change.Type);
        Assert.Null(change.TypeBefore);
        var input = Assert.Single(change.Inputs);
        Assert.Equal("text", input.Name);
        Assert.Equal("Guten Tag!", input.Before!.GetValue<string>());
        Assert.Equal("Willkommen in der Praxis!", input.After!.GetValue<string>());
        Assert.Empty(diff.NodesAdded);
        Assert.Empty(diff.ConnectionsAdded);
        Assert.False(diff.Identical);
    }

    [Fact]
    public void Moving_nodes_and_reordering_nodes_connections_and_properties_is_not_a_change()
    {
        var after = Edit(root =>
        {
            foreach (var node in root["nodes"]!.AsArray())
            {
                node!["position"] = new JsonObject { ["x"] = 500, ["y"] = -20 };
            }

            var nodes = root["nodes"]!.AsArray().Select(n => n!.DeepClone()).Reverse().ToArray();
            root["nodes"] = new JsonArray(nodes);
            var connections = root["connections"]!.AsArray().Select(n => n!.DeepClone()).Reverse().ToArray();
            root["connections"] = new JsonArray(connections);
            Node(root, "find")["inputs"] = JsonNode.Parse("""{ "count": 3.0, "durationMinutes": 30 }""");
            root["variables"] = JsonNode.Parse("""[ { "name": "tenant", "default": { "city": "Berlin", "name": "Praxis" } } ]""");
        });

        Assert.True(FlowDiff.Compare(Parse(Base), after).Identical);
    }

    [Fact]
    public void Added_and_removed_nodes_and_connections_are_listed_with_their_types()
    {
        var after = Edit(root =>
        {
            root["nodes"]!.AsArray().Remove(Node(root, "find"));
            root["nodes"]!.AsArray().Add(JsonNode.Parse("""{ "id": "human", "type": "Handoff" }"""));
            root["connections"] = JsonNode.Parse("""
                [ { "from": "start", "outcome": "Done", "to": "hello" },
                  { "from": "hello", "outcome": "Done", "to": "human" },
                  { "from": "human", "outcome": "Transferred", "to": "bye" } ]
                """);
        });

        var diff = FlowDiff.Compare(Parse(Base), after);

        Assert.Equal([new NodeRef("human", "Handoff")], diff.NodesAdded);
        Assert.Equal([new NodeRef("find", "FindSlots")], diff.NodesRemoved);
        Assert.Equal([new FlowConnection("hello", "Done", "human"), new FlowConnection("human", "Transferred", "bye")], diff.ConnectionsAdded);
        Assert.Equal([new FlowConnection("hello", "Done", "find"), new FlowConnection("find", "Found", "bye"), new FlowConnection("find", "NotFound", "bye")],
            diff.ConnectionsRemoved);
        Assert.Empty(diff.NodesChanged);
    }

    [Fact]
    public void Inputs_that_appear_or_disappear_are_changes_but_an_explicit_null_equals_a_missing_input()
    {
        var after = Edit(root =>
        {
            var inputs = Node(root, "hello")["inputs"]!.AsObject();
            inputs.Remove("interruptible");
            inputs["voice"] = "de+f3";
            Node(root, "bye")["inputs"]!["extra"] = null;
        });

        var change = Assert.Single(FlowDiff.Compare(Parse(Base), after).NodesChanged);

        Assert.Equal("hello", change.Id);
        Assert.Equal(["voice", "interruptible"], change.Inputs.Select(i => i.Name));
        Assert.Null(change.Inputs[0].Before);
        Assert.Equal("de+f3", change.Inputs[0].After!.GetValue<string>());
        Assert.True(change.Inputs[1].Before!.GetValue<bool>());
        Assert.Null(change.Inputs[1].After);
    }

    [Fact]
    public void A_node_whose_type_changed_reports_the_former_type()
    {
        var after = Edit(root => Node(root, "bye")["type"] = "Handoff");

        var change = Assert.Single(FlowDiff.Compare(Parse(Base), after).NodesChanged);

        Assert.Equal("Handoff", change.Type);
        Assert.Equal("Hangup", change.TypeBefore);
    }

    [Fact]
    public void Nested_values_are_compared_structurally()
    {
        var before = Edit(root => Node(root, "find")["inputs"]!["hours"] = JsonNode.Parse("""{ "mon": ["09:00-12:00", "13:00-17:00"] }"""));
        var reordered = Edit(root => Node(root, "find")["inputs"]!["hours"] = JsonNode.Parse("""{ "mon": ["13:00-17:00", "09:00-12:00"] }"""));

        Assert.Equal("hours", Assert.Single(Assert.Single(FlowDiff.Compare(before, reordered).NodesChanged).Inputs).Name);
        Assert.True(FlowDiff.Compare(before, Parse(FlowJson.Write(before))).Identical);
    }

    [Fact]
    public void Variables_added_removed_and_changed_are_reported()
    {
        var after = Edit(root => root["variables"] = JsonNode.Parse("""
            [ { "name": "tenant", "default": { "name": "Praxis Dr. Muster" } }, { "name": "greeting", "default": "Hallo" } ]
            """));
        var fewer = Edit(root => root["variables"] = new JsonArray());

        var diff = FlowDiff.Compare(Parse(Base), after);

        Assert.Equal("greeting", Assert.Single(diff.VariablesAdded).Name);
        var changed = Assert.Single(diff.VariablesChanged);
        Assert.Equal("tenant", changed.Name);
        Assert.Equal("Praxis Dr. Muster", (string?)changed.After!["name"]);
        Assert.Equal("tenant", Assert.Single(FlowDiff.Compare(Parse(Base), fewer).VariablesRemoved).Name);
    }

    [Fact]
    public void The_diff_serializes_in_the_api_shape()
    {
        var after = Edit(root => Node(root, "hello")["inputs"]!["text"] = "Hallo");

        var json = JsonSerializer.SerializeToNode(FlowDiff.Compare(Parse(Base), after), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;

        Assert.Equal("hello", (string?)json["nodesChanged"]![0]!["id"]);
        Assert.Equal("Guten Tag!", (string?)json["nodesChanged"]![0]!["inputs"]![0]!["before"]);
        Assert.False(json["nodesChanged"]![0]!.AsObject().ContainsKey("typeBefore"));
        Assert.NotNull(json["connectionsAdded"]);
        Assert.False((bool)json["identical"]!);
    }

    [Fact]
    public void Invalid_drafts_with_duplicate_ids_and_missing_lists_do_not_break_the_diff()
    {
        var broken = Parse("""{ "nodes": [ { "id": "a", "type": "Speak" }, { "id": "a", "type": "Hangup" } ] }""");
        broken.Connections = null!;
        broken.Variables = null!;

        var diff = FlowDiff.Compare(broken, Parse(Base));

        Assert.Equal(["start", "hello", "find", "bye"], diff.NodesAdded.Select(n => n.Id));
        Assert.Equal("a", Assert.Single(diff.NodesRemoved).Id);
    }
}
