using VoiceAgent.Flows.Definitions;
using VoiceAgent.Flows.Descriptors;
using VoiceAgent.Flows.Validation;
using VoiceAgent.CallFlows;

namespace VoiceAgent.Platform.Tests;

public sealed class SampleFlowTests
{
    [Fact]
    public void The_terminannahme_sample_is_valid_and_discloses_the_ai_in_its_greeting()
    {
        var flow = FlowJson.Parse(SampleFlows.BookingJson);
        var registry = ActivityRegistry.FromAssemblies(typeof(VoiceAgent.Activities.Variables).Assembly);

        Assert.Empty(FlowValidator.Validate(flow, registry));
        var greeting = flow.Nodes.Single(n => n.Id == "greeting").Inputs["text"]!.GetValue<string>();
        Assert.Contains("künstlichen Intelligenz", greeting);
        Assert.Contains(flow.Nodes, n => n.Type == "Handoff");
        Assert.Contains(flow.Nodes, n => n.Type == "ListEvents");
        Assert.All(flow.Nodes, n => Assert.NotNull(n.Position));
    }
}
