using System.Text.Json.Nodes;
using Microsoft.Playwright;
using VoiceAgent.CallFlows;

namespace VoiceAgent.E2E;

/// <summary>
/// What a person sees of a flow's layout: no node lies on another, no connection runs through a node it does not
/// start or end at — for every shipped sample as stored, and for a tangled flow after "Automatisch anordnen".
/// </summary>
public sealed class DesignerLayoutTests : DesignerTest
{
    [Fact]
    public async Task Every_sample_opens_without_overlapping_nodes_or_connections_through_nodes()
    {
        await SetUpTenantAsync();
        var page = await SignedInPageAsync();
        foreach (var (file, json) in SampleFlows.All)
        {
            var definition = JsonNode.Parse(json)!.AsObject();
            var flowId = await CreateFlowAsync($"Muster {file}", definition);
            await OpenDesignerAsync(page, flowId);
            await page.GetByTestId("toolbar-fit").ClickAsync();

            var nodes = definition["nodes"]!.AsArray().Count;
            var edges = definition["connections"]!.AsArray().Count;
            await AssertCleanDrawingAsync(page, nodes, edges, file);
            await ScreenshotAsync(page, $"designer-sample-{Path.GetFileNameWithoutExtension(file)}");
        }

        AssertNoBrowserProblems();
    }

    [Fact]
    public async Task Auto_layout_untangles_a_larger_flow_without_overlaps_or_connections_through_nodes()
    {
        await SetUpTenantAsync();
        var definition = TangledFlow();
        var flowId = await CreateFlowAsync("Verknotet", definition);
        var page = await SignedInPageAsync();
        await OpenDesignerAsync(page, flowId);

        await page.GetByTestId("toolbar-layout").ClickAsync();
        await WaitSavedAsync(page);
        await page.GetByTestId("toolbar-fit").ClickAsync();
        await AssertCleanDrawingAsync(page, definition["nodes"]!.AsArray().Count, definition["connections"]!.AsArray().Count, "auto-layout");
        await ScreenshotAsync(page, "designer-auto-layout");

        // The arrangement is saved, and one undo step puts every node back where it was.
        var saved = (await DefinitionAsync(flowId, 1))["nodes"]!.AsArray();
        Assert.Contains(saved, n => (double)n!["position"]!["x"]! != 0);
        await Canvas(page).FocusAsync();
        await page.Keyboard.PressAsync("Control+z");
        await WaitSavedAsync(page);
        var undone = (await DefinitionAsync(flowId, 1))["nodes"]!.AsArray();
        Assert.All(undone, n => Assert.Equal(0, (double)n!["position"]!["x"]!));

        AssertNoBrowserProblems();
    }

    /// <summary>
    /// Measures the drawing in graph coordinates: each activity's body rectangle, and each connection's path sampled every
    /// two units. A connection's ends are the nodes its path starts and ends on; every other node it enters is a fault.
    /// </summary>
    private static async Task AssertCleanDrawingAsync(IPage page, int nodeCount, int edgeCount, string what)
    {
        var canvas = Canvas(page);
        await Expect(canvas.Locator("g[data-shape='va-activity']")).ToHaveCountAsync(nodeCount);
        await Expect(canvas.Locator("g[data-shape='va-edge']")).ToHaveCountAsync(edgeCount);
        var problems = await page.EvaluateAsync<string[]>(Geometry);
        Assert.True(problems.Length == 0, $"{what}: {problems.Length} problems\n{string.Join("\n", problems.Take(30))}");
    }

    private const string Geometry = """
        () => {
          const canvas = document.querySelector("[data-testid='canvas']");
          const viewport = canvas.querySelector("svg .x6-graph-svg-viewport");
          const toLocal = viewport.getScreenCTM().inverse();
          const local = (el, x, y) => new DOMPoint(x, y).matrixTransform(toLocal.multiply(el.getScreenCTM()));
          const nodes = [...canvas.querySelectorAll("g[data-shape='va-activity']")].map(g => {
            const body = g.querySelector("rect");
            const b = body.getBBox();
            const a = local(body, b.x, b.y), c = local(body, b.x + b.width, b.y + b.height);
            return { id: g.getAttribute("data-cell-id"), x1: a.x, y1: a.y, x2: c.x, y2: c.y };
          });
          const problems = [];
          for (let i = 0; i < nodes.length; i++) {
            for (let j = i + 1; j < nodes.length; j++) {
              const p = nodes[i], q = nodes[j];
              if (p.x1 < q.x2 && q.x1 < p.x2 && p.y1 < q.y2 && q.y1 < p.y2) {
                problems.push(`nodes ${p.id} and ${q.id} overlap`);
              }
            }
          }
          const near = (n, pt, margin) => pt.x >= n.x1 - margin && pt.x <= n.x2 + margin && pt.y >= n.y1 - margin && pt.y <= n.y2 + margin;
          const inside = (n, pt) => pt.x > n.x1 + 1 && pt.x < n.x2 - 1 && pt.y > n.y1 + 1 && pt.y < n.y2 - 1;
          for (const g of canvas.querySelectorAll("g[data-shape='va-edge']")) {
            const path = g.querySelector("path");
            const length = path.getTotalLength();
            const points = [];
            for (let s = 0; s <= length; s += 2) {
              const p = path.getPointAtLength(s);
              points.push(local(path, p.x, p.y));
            }
            const end = path.getPointAtLength(length);
            points.push(local(path, end.x, end.y));
            const first = points[0], last = points[points.length - 1];
            const source = nodes.find(n => near(n, first, 10));
            const target = nodes.find(n => near(n, last, 10));
            const label = `${source?.id ?? "?"} → ${target?.id ?? "?"}`;
            if (!source || !target) {
              problems.push(`connection ${label} does not start and end at a node`);
              continue;
            }
            const crossed = new Set();
            for (const pt of points) {
              for (const n of nodes) {
                if (n !== source && n !== target && inside(n, pt)) {
                  crossed.add(n.id);
                }
              }
            }
            for (const id of crossed) {
              problems.push(`connection ${label} crosses node ${id}`);
            }
          }
          return problems;
        }
        """;

    /// <summary>
    /// A menu flow like a real one, all nodes stacked at (0, 0): greeting and question, a chain of nine decisions each
    /// opening a branch of three to six steps (a Listen whose "not understood" loops back to the branch's start, decisions
    /// leaving early), every branch ending at a shared "anything else?" that loops back to the menu, a handoff and a goodbye.
    /// </summary>
    private static JsonObject TangledFlow()
    {
        var nodes = new JsonArray();
        var connections = new JsonArray();
        void Node(string id, string type, JsonObject? inputs = null) =>
            nodes.Add(new JsonObject { ["id"] = id, ["type"] = type, ["inputs"] = inputs ?? [], ["position"] = new JsonObject { ["x"] = 0, ["y"] = 0 } });
        void Connect(string from, string outcome, string to) =>
            connections.Add(new JsonObject { ["from"] = from, ["outcome"] = outcome, ["to"] = to });
        JsonObject Text(string text) => new() { ["text"] = text };
        JsonObject YesNo() => new() { ["expectation"] = "yesno" };
        JsonObject Condition() => new() { ["condition"] = "answer" };

        Node("start", "Start");
        Node("greet", "Speak", Text("Guten Tag."));
        Node("ask", "Listen", new JsonObject { ["expectation"] = "intent" });
        Node("more", "Speak", Text("Noch etwas?"));
        Node("moreListen", "Listen", YesNo());
        Node("again", "Speak", Text("Wie bitte?"));
        Node("handoff", "Handoff");
        Node("bye", "Hangup", new JsonObject { ["goodbye"] = "Tschüss!" });
        Connect("start", "Done", "greet");
        Connect("greet", "Done", "ask");
        Connect("ask", "Recognized", "d1");
        Connect("ask", "NoInput", "handoff");
        Connect("ask", "NoMatch", "handoff");
        Connect("again", "Done", "ask");
        Connect("more", "Done", "moreListen");
        Connect("moreListen", "Recognized", "d1");
        Connect("moreListen", "NoInput", "bye");
        Connect("moreListen", "NoMatch", "bye");
        foreach (var outcome in new[] { "Transferred", "MessageTaken", "Failed" })
        {
            Connect("handoff", outcome, "bye");
        }

        string[] pattern = ["Speak", "Listen", "Decision"];
        for (var k = 1; k <= 9; k++)
        {
            Node($"d{k}", "Decision", Condition());
            Connect($"d{k}", "False", k < 9 ? $"d{k + 1}" : "again");
            var length = 3 + k % 4;
            Connect($"d{k}", "True", $"b{k}s1");
            for (var s = 1; s <= length; s++)
            {
                var id = $"b{k}s{s}";
                var next = s < length ? $"b{k}s{s + 1}" : "more";
                switch (pattern[(s - 1) % 3])
                {
                    case "Speak":
                        Node(id, "Speak", Text($"Zweig {k}, Schritt {s}."));
                        Connect(id, "Done", next);
                        break;
                    case "Listen":
                        Node(id, "Listen", YesNo());
                        Connect(id, "Recognized", next);
                        Connect(id, "NoInput", "handoff");
                        Connect(id, "NoMatch", $"b{k}s1");
                        break;
                    default:
                        Node(id, "Decision", Condition());
                        Connect(id, "True", next);
                        Connect(id, "False", "more");
                        break;
                }
            }
        }

        return new JsonObject { ["nodes"] = nodes, ["connections"] = connections, ["variables"] = new JsonArray() };
    }
}
