using VoiceAgent.Flows.Definitions;
using VoiceAgent.Flows.Descriptors;
using VoiceAgent.Flows.Validation;
using VoiceAgent.CallFlows;
using VoiceAgent.CallFlows.Prompts;

namespace VoiceAgent.Platform.Tests;

public sealed class SampleFlowTests
{
    [Fact]
    public void The_terminannahme_sample_is_valid_and_leaves_the_ai_disclosure_to_the_run()
    {
        var flow = FlowJson.Parse(SampleFlows.BookingJson);
        var registry = ActivityRegistry.FromAssemblies(typeof(VoiceAgent.Activities.Variables).Assembly);

        Assert.Empty(FlowValidator.Validate(flow, registry));
        var greeting = flow.Nodes.Single(n => n.Id == "greeting").Inputs["text"]!.GetValue<string>();
        // The run speaks the disclosure before any node (FlowSessionRunner); the greeting does not repeat it.
        Assert.DoesNotContain("künstliche", greeting);
        Assert.DoesNotContain("KI", greeting);
        Assert.Contains("künstliche Intelligenz", TenantPrompts.Disclosure("de", "Praxis Berg"));
        Assert.Contains(flow.Nodes, n => n.Type == "Handoff");
        Assert.Contains(flow.Nodes, n => n.Type == "ListEvents");
        Assert.All(flow.Nodes, n => Assert.NotNull(n.Position));
    }
}
