using System.Text.Json.Nodes;

namespace VoiceAgent.Testing;

/// <summary>Large flows for the designer's speed checks (the browser test and the designer benchmark).</summary>
public static class LargeFlows
{
    /// <summary>
    /// Start, then count − 2 activities in rows of ten: Speak → Listen → Decision repeating, every outcome connected (the
    /// "otherwise" outcomes lead to the closing Hangup), positions as a saved flow has them. Node ids: start, n1 …, bye.
    /// </summary>
    public static JsonObject Create(int count)
    {
        var nodes = new JsonArray();
        var connections = new JsonArray();
        string[] pattern = ["Speak", "Listen", "Decision"];
        JsonObject Node(string id, string type, JsonObject inputs, int index) => new()
        {
            ["id"] = id,
            ["type"] = type,
            ["inputs"] = inputs,
            ["position"] = new JsonObject { ["x"] = index % 10 * 280, ["y"] = index / 10 * 160 },
        };
        void Connect(string from, string outcome, string to) =>
            connections.Add(new JsonObject { ["from"] = from, ["outcome"] = outcome, ["to"] = to });

        nodes.Add(Node("start", "Start", [], 0));
        var previous = "start";
        var previousOutcome = "Done";
        for (var i = 1; i < count - 1; i++)
        {
            var id = $"n{i}";
            var type = pattern[(i - 1) % 3];
            var inputs = type switch
            {
                "Speak" => new JsonObject { ["text"] = $"Schritt {i}: Bitte sagen Sie Ja oder Nein." },
                "Listen" => new JsonObject { ["expectation"] = "yesno" },
                _ => new JsonObject { ["condition"] = "answer" },
            };
            nodes.Add(Node(id, type, inputs, i));
            Connect(previous, previousOutcome, id);
            if (type == "Listen")
            {
                Connect(id, "NoInput", "bye");
                Connect(id, "NoMatch", "bye");
            }
            else if (type == "Decision")
            {
                Connect(id, "False", "bye");
            }

            previous = id;
            previousOutcome = type switch { "Speak" => "Done", "Listen" => "Recognized", _ => "True" };
        }

        nodes.Add(Node("bye", "Hangup", new JsonObject { ["goodbye"] = "Auf Wiederhören!" }, count - 1));
        Connect(previous, previousOutcome, "bye");
        return new JsonObject { ["nodes"] = nodes, ["connections"] = connections, ["variables"] = new JsonArray() };
    }
}
