using VoiceAgent.CallFlows;
using VoiceAgent.Flows.Definitions;
using VoiceAgent.Flows.Descriptors;

namespace VoiceAgent.Platform.Tests;

/// <summary>
/// The shipped samples open tidy in the designer: no two nodes overlap, and between any two there is room for a
/// connection to pass (the canvas routes connections around nodes at a distance). The browser test
/// DesignerLayoutTests checks what is drawn; this one checks the stored positions of every sample, fast.
/// </summary>
public sealed class SampleFlowLayoutTests
{
    // The canvas's node size (designer/VoiceAgent.Designer/ClientLib/src/geometry.ts and node-visuals.ts): a fixed width,
    // and a header plus one row per outcome port (declared outcomes, and any other outcome a connection uses).
    private const double NodeWidth = 224;
    private const double NodeHeader = 46;
    private const double OutcomeRow = 20;
    private const double NodeMinHeight = 62;

    // Twice the router's distance to a node it passes (ROUTE_PADDING in geometry.ts).
    private const double Clearance = 32;

    private static readonly ActivityRegistry Registry = ActivityRegistry.FromAssemblies(typeof(VoiceAgent.Activities.Variables).Assembly);

    public static TheoryData<string> Samples => new(SampleFlows.All.Keys);

    [Fact]
    public void There_are_samples()
    {
        Assert.Contains("terminannahme.json", SampleFlows.All.Keys);
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Sample_nodes_do_not_overlap_and_leave_room_for_a_connection_between_them(string file)
    {
        var flow = FlowJson.Parse(SampleFlows.All[file]);
        var boxes = flow.Nodes.Select(n => (n.Id, Box: BoxOf(n, flow))).ToList();

        var problems = new List<string>();
        for (var i = 0; i < boxes.Count; i++)
        {
            for (var j = i + 1; j < boxes.Count; j++)
            {
                var (a, p) = boxes[i];
                var (b, q) = boxes[j];
                if (Overlap(p, q, 0))
                {
                    problems.Add($"{a} and {b} overlap");
                }
                else if (Overlap(p, q, Clearance))
                {
                    problems.Add($"{a} and {b} are closer than {Clearance}");
                }
            }
        }

        Assert.True(problems.Count == 0, $"{file}:\n{string.Join("\n", problems)}");
    }

    private static (double X, double Y, double Width, double Height) BoxOf(FlowNode node, FlowDefinition flow)
    {
        Assert.True(node.Position is not null, $"{node.Id} has no position");
        var outcomes = new HashSet<string>(Registry.TryGet(node.Type, out var type) ? type.OutcomesOf(node) : []);
        outcomes.UnionWith(flow.Connections.Where(c => c.From == node.Id).Select(c => c.Outcome));
        var height = Math.Max(NodeMinHeight, NodeHeader + outcomes.Count * OutcomeRow + 6);
        return (node.Position.X, node.Position.Y, NodeWidth, height);
    }

    /// <summary>Whether the boxes come closer than <paramref name="clearance"/> (0: whether they overlap).</summary>
    private static bool Overlap((double X, double Y, double Width, double Height) p, (double X, double Y, double Width, double Height) q, double clearance) =>
        p.X < q.X + q.Width + clearance && q.X < p.X + p.Width + clearance &&
        p.Y < q.Y + q.Height + clearance && q.Y < p.Y + p.Height + clearance;
}
