using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using VoiceAgent.Activities.Calls;
using VoiceAgent.Flows.Runtime;

namespace VoiceAgent.Flows.Tests;

/// <summary>The run's trace: what call replay shows step by step (issue #14).</summary>
public sealed class TraceTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 14, 5, 0, TimeSpan.Zero);

    private readonly Ports ports = new();

    // Every reading of the clock moves it on a second, so each step has its own time.
    private readonly FakeTimeProvider time = new(Start) { AutoAdvanceAmount = TimeSpan.FromSeconds(1) };

    private FlowRunner Runner(int maxTraceSteps = 500, int maxSteps = 1000) =>
        new(ports, time, new FlowRunnerOptions { MaxSteps = maxSteps, MaxTraceSteps = maxTraceSteps });

    private static FlowPlan BookingPlan() => Flow.BookingPlan();

    /// <summary>A caller asks for an appointment, declines the first offer, takes the second; stored and loaded between turns.</summary>
    private async Task<FlowInstance> BookAfterDecliningAsync()
    {
        var plan = BookingPlan();
        var instance = FlowRunner.NewInstance(plan, Flow.Caller());
        await Runner().StartAsync(plan, instance);
        foreach (var said in new[] { "Ich möchte einen Termin", "nein", "ja" })
        {
            instance = FlowInstance.FromJson(instance.ToJson());
            await Runner().ResumeAsync(BookingPlan(), instance, new CallerInput(said));
        }

        Assert.Equal(FlowStatus.Completed, instance.Status);
        return instance;
    }

    private static string Describe(TraceStep s) =>
        $"{s.Turn}:{s.NodeId}:{s.Type}" + (s.Resumed is null ? "" : $" resumed {s.Resumed}") + (s.Outcome is null ? "" : $" {s.Outcome}")
        + (s.Next is null ? "" : $" -> {s.Next}") + (s.Waits is null ? "" : $" waits {s.Waits}") + (s.Ends ? " ends" : "");

    [Fact]
    public async Task Trace_lists_the_steps_in_order_with_outcome_and_connection_taken()
    {
        var instance = await BookAfterDecliningAsync();
        var trace = instance.Trace!;

        Assert.Equal(
        [
            "0:start:Start Done -> hello", "0:hello:Speak Done -> listen", "0:listen:Listen waits caller-input",
            "1:listen:Listen resumed caller-input Recognized -> route", "1:route:Decision True -> find", "1:find:FindSlots Found -> offer",
            "1:offer:Speak Done -> confirm", "1:confirm:Listen waits caller-input",
            "2:confirm:Listen resumed caller-input Recognized -> yes", "2:yes:Decision False -> find", "2:find:FindSlots Found -> offer",
            "2:offer:Speak Done -> confirm", "2:confirm:Listen waits caller-input",
            "3:confirm:Listen resumed caller-input Recognized -> yes", "3:yes:Decision True -> book", "3:book:CreateEvent Created -> booked",
            "3:booked:Hangup ends",
        ], trace.Steps.Select(Describe));
        Assert.Equal(Enumerable.Range(1, 17), trace.Steps.Select(s => s.Sequence));
        Assert.Equal(instance.Steps, trace.Steps[^1].Sequence);
        Assert.Equal(4, trace.Turns);
        Assert.False(trace.Truncated);

        // Each step at its own, later moment of the engine's clock.
        Assert.True(trace.Steps.Zip(trace.Steps.Skip(1)).All(p => p.First.At < p.Second.At));
        Assert.True(trace.Steps[0].At >= Start);
    }

    [Fact]
    public async Task Variable_changes_replay_to_the_values_after_each_step()
    {
        var instance = await BookAfterDecliningAsync();
        var replay = instance.Trace!.Replay().ToList();

        Assert.Equal("+491701234567", instance.Trace.Variables["caller"]!["number"]!.GetValue<string>());
        Assert.Null(replay[1].Step.Set); // Speak changes nothing
        var understood = replay[3];
        Assert.Equal("Ich möchte einen Termin", understood.VariablesAfter["lastInput"]!.GetValue<string>());
        Assert.Equal("book_appointment", understood.VariablesAfter["intent"]!.GetValue<string>());
        Assert.Contains("intent", understood.Step.Set!.Select(p => p.Key));

        var firstOffer = replay.First(r => r.Step.NodeId == "find").VariablesAfter;
        var secondOffer = replay.Last(r => r.Step.NodeId == "find").VariablesAfter;
        Assert.Equal("Montag um 9:00 Uhr", firstOffer["slot"]!["text"]!.GetValue<string>());
        Assert.Equal("Montag um 9:30 Uhr", secondOffer["slot"]!["text"]!.GetValue<string>());
        // FindSlots adds to the stored list in place before setting it: still a change of the second step.
        Assert.Single(firstOffer["offeredSlots"]!.AsArray());
        Assert.Equal(2, secondOffer["offeredSlots"]!.AsArray().Count);
        Assert.False(replay[8].VariablesAfter["answer"]!.GetValue<bool>());
        Assert.True(replay[13].VariablesAfter["answer"]!.GetValue<bool>());
        Assert.False(replay[12].VariablesAfter.ContainsKey("event"));
        Assert.Equal("e1", replay[15].VariablesAfter["event"]!["id"]!.GetValue<string>());

        // The changes add up to the run's real variables.
        Assert.True(JsonNode.DeepEquals(instance.Variables, replay[^1].VariablesAfter));
    }

    [Fact]
    public async Task Transcript_indices_point_to_the_lines_each_step_produced()
    {
        var instance = await BookAfterDecliningAsync();
        var steps = instance.Trace!.Steps;

        string Lines(int step) => string.Join(" | ", (steps[step].Lines ?? []).Select(i => $"{instance.Transcript[i].Role}: {instance.Transcript[i].Text}"));
        Assert.Equal("Agent: Guten Tag, Sie sprechen mit dem KI-Assistenten.", Lines(1));
        Assert.Equal("", Lines(2));
        Assert.Equal("Caller: Ich möchte einen Termin", Lines(3));
        Assert.Equal("Agent: Ich hätte Montag um 9:00 Uhr frei. Passt das?", Lines(6));
        Assert.Equal("Caller: nein", Lines(8));
        Assert.Equal("Agent: Ich hätte Montag um 9:30 Uhr frei. Passt das?", Lines(11));
        Assert.Equal("Agent: Ihr Termin ist eingetragen: Montag um 9 Uhr. Auf Wiederhören!", Lines(16));

        // Every line belongs to exactly one step, in the transcript's order, and to that step's node.
        Assert.Equal(Enumerable.Range(0, instance.Transcript.Count), steps.SelectMany(s => s.Lines ?? []));
        Assert.All(steps, s => Assert.All(s.Lines ?? [], i => Assert.Equal(s.NodeId, instance.Transcript[i].NodeId)));
    }

    [Fact]
    public async Task Inputs_are_recorded_as_the_activity_got_them()
    {
        var instance = await BookAfterDecliningAsync();
        var steps = instance.Trace!.Steps;

        Assert.Equal("Ich hätte Montag um 9:30 Uhr frei. Passt das?", steps[11].Inputs!["text"]!.GetValue<string>());
        Assert.True(steps[4].Inputs!["condition"]!.GetValue<bool>());
        Assert.False(steps[9].Inputs!["condition"]!.GetValue<bool>());
        Assert.Equal(2, steps[5].Inputs!["count"]!.GetValue<int>());
        Assert.Null(steps[0].Inputs);
    }

    [Fact]
    public async Task Trace_survives_a_json_round_trip_mid_run_and_continues()
    {
        var plan = BookingPlan();
        var instance = FlowRunner.NewInstance(plan, Flow.Caller());
        await Runner().StartAsync(plan, instance);
        await Runner().ResumeAsync(plan, instance, new CallerInput("Termin bitte"));
        var json = instance.ToJson();

        var restored = FlowInstance.FromJson(json);
        Assert.Equal(json, restored.ToJson());
        Assert.Equal(instance.Trace!.Steps.Select(Describe), restored.Trace!.Steps.Select(Describe));
        Assert.Equal(instance.Trace.Steps.Select(s => s.At), restored.Trace.Steps.Select(s => s.At));

        await Runner().ResumeAsync(BookingPlan(), restored, new CallerInput("ja"));

        Assert.Equal(Enumerable.Range(1, restored.Steps), restored.Trace.Steps.Select(s => s.Sequence));
        Assert.Equal("2:confirm:Listen resumed caller-input Recognized -> yes", Describe(restored.Trace.Steps[8]));
        Assert.True(JsonNode.DeepEquals(restored.Variables, restored.Trace.Replay().Last().VariablesAfter));
    }

    [Fact]
    public async Task A_run_stored_without_a_trace_loads_and_is_traced_from_its_next_turn()
    {
        const string stored = """
            {"id":"0f3c","status":1,"currentNodeId":"listen","bookmark":{"kind":"caller-input","nodeId":"listen","timeoutSeconds":6},"variables":{"caller":{"number":"+491701234567"}},"transcript":[{"role":"Agent","text":"Guten Tag","nodeId":"hello","at":"2026-11-20T14:05:00+00:00"}],"counters":{},"steps":3,"incidents":[]}
            """;
        var instance = FlowInstance.FromJson(stored);
        Assert.Null(instance.Trace);
        Assert.Equal(stored, instance.ToJson());

        await Runner().ResumeAsync(BookingPlan(), instance, new CallerInput("Termin"));

        var trace = instance.Trace!;
        Assert.Equal("+491701234567", trace.Variables["caller"]!["number"]!.GetValue<string>());
        Assert.Equal(["0:listen:Listen resumed caller-input Recognized -> route", "0:route:Decision True -> find"],
            trace.Steps.Take(2).Select(Describe));
        Assert.Equal(4, trace.Steps[0].Sequence);
        Assert.Equal([1], trace.Steps[0].Lines!);
        Assert.True(JsonNode.DeepEquals(instance.Variables, trace.Replay().Last().VariablesAfter));
    }

    [Fact]
    public async Task A_looping_flow_keeps_only_the_newest_steps_and_still_replays_the_right_values()
    {
        var plan = FlowPlan.Compile(Flow.Of(
            [("start", "Start", null), ("ask", "Speak", new { text = "Wie bitte?" }), ("listen", "Listen", new { expectation = "text", maxRetries = 0 })],
            ("start", "Done", "ask"), ("ask", "Done", "listen"), ("listen", "Recognized", "ask"), ("listen", "NoInput", "ask"),
            ("listen", "NoMatch", "ask")), Flow.Registry);
        var instance = FlowRunner.NewInstance(plan);
        await Runner(maxTraceSteps: 5).StartAsync(plan, instance);
        foreach (var said in new[] { "eins", "zwei", "drei", "vier" })
        {
            instance = FlowInstance.FromJson(instance.ToJson());
            await Runner(maxTraceSteps: 5).ResumeAsync(plan, instance, new CallerInput(said));
        }

        var trace = instance.Trace!;
        Assert.Equal(15, instance.Steps);
        Assert.Equal(5, trace.Steps.Count);
        Assert.Equal(10, trace.Dropped);
        Assert.True(trace.Truncated);
        Assert.Equal([11, 12, 13, 14, 15], trace.Steps.Select(s => s.Sequence));
        // The dropped steps' changes are folded into the starting point: "drei" was said in a dropped step.
        Assert.Equal("drei", trace.Variables["lastInput"]!.GetValue<string>());
        var replay = trace.Replay().ToList();
        Assert.Equal("drei", replay[1].VariablesAfter["lastInput"]!.GetValue<string>());
        Assert.Equal("vier", replay[2].VariablesAfter["lastInput"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(instance.Variables, replay[^1].VariablesAfter));
    }

    [Fact]
    public async Task Tracing_can_be_turned_off()
    {
        var plan = BookingPlan();
        var instance = FlowRunner.NewInstance(plan);

        await Runner(maxTraceSteps: 0).StartAsync(plan, instance);

        Assert.Null(instance.Trace);
    }

    [Fact]
    public async Task Run_end_lines_belong_to_the_step_that_ended_the_run()
    {
        var plan = BookingPlan();
        var instance = FlowRunner.NewInstance(plan, Flow.Caller());
        await Runner().StartAsync(plan, instance);
        await Runner().ResumeAsync(plan, instance, new CallerInput("Termin"));
        ports.Calendar.Failure = new TimeoutException("calendar took too long");

        await Runner().ResumeAsync(plan, instance, new CallerInput("ja"));

        var last = instance.Trace!.Steps[^1];
        Assert.Equal("2:book:CreateEvent Failed", Describe(last));
        Assert.StartsWith("Entschuldigung, da ist gerade ein technisches Problem aufgetreten.", instance.Transcript[Assert.Single(last.Lines!)].Text);
    }

    [Fact]
    public async Task Lines_said_when_the_step_limit_ends_a_run_belong_to_its_last_step()
    {
        var plan = FlowPlan.Compile(Flow.Of(
            [("start", "Start", null), ("ask", "Speak", new { text = "Wie bitte?" }), ("listen", "Listen", new { maxRetries = 0 })],
            ("start", "Done", "ask"), ("ask", "Done", "listen"), ("listen", "Recognized", "ask"), ("listen", "NoInput", "ask"),
            ("listen", "NoMatch", "ask")), Flow.Registry);
        var instance = FlowRunner.NewInstance(plan);
        var runner = Runner(maxSteps: 4);
        await runner.StartAsync(plan, instance);

        await runner.ResumeAsync(plan, instance, new CallerInput("Blumenkohl"));

        Assert.Equal(FlowStatus.Faulted, instance.Status);
        var last = instance.Trace!.Steps[^1];
        Assert.Equal("1:listen:Listen resumed caller-input NoMatch -> ask", Describe(last));
        Assert.Equal(2, last.Lines!.Count);
        Assert.Equal("Blumenkohl", instance.Transcript[last.Lines[0]].Text);
        Assert.StartsWith("Entschuldigung, ich komme hier gerade nicht weiter.", instance.Transcript[last.Lines[1]].Text);
        Assert.Equal(last.Lines[1], instance.Transcript.Count - 1);
    }

    [Fact]
    public async Task Long_texts_are_cut_and_secrets_and_url_queries_left_out()
    {
        var longText = new string('a', 400);
        var plan = FlowPlan.Compile(Flow.Of(
            [
                ("start", "Start", null),
                ("say", "Speak", new { text = longText }),
                ("key", "SetVariable", new { name = "apiToken", value = "\"geheim-123\"" }),
                ("hook", "HttpRequest", new { url = "https://user:pw@hooks.example.org/flow?key=geheim-456" }),
                ("bye", "Hangup", null),
            ],
            ("start", "Done", "say"), ("say", "Done", "key"), ("key", "Done", "hook"), ("hook", "Success", "bye"), ("hook", "Failed", "bye")),
            Flow.Registry);
        var instance = FlowRunner.NewInstance(plan);

        await Runner().StartAsync(plan, instance);

        var steps = instance.Trace!.Steps;
        var said = steps[1].Inputs!["text"]!.GetValue<string>();
        Assert.Equal(TraceValues.MaxText + 1, said.Length);
        Assert.EndsWith("a…", said);
        Assert.Equal(TraceValues.Redacted, steps[2].Set!["apiToken"]!.GetValue<string>());
        Assert.Equal("https://hooks.example.org/flow?…", steps[3].Inputs!["url"]!.GetValue<string>());
        Assert.Equal("geheim-123", instance.Variables["apiToken"]!.GetValue<string>());
        Assert.DoesNotContain("geheim", instance.Trace.Steps.Select(s => System.Text.Json.JsonSerializer.Serialize(s)).Aggregate(string.Concat));
    }
}
