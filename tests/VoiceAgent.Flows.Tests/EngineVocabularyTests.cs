using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using VoiceAgent.Activities.Calls;
using VoiceAgent.Flows.Descriptors;
using VoiceAgent.Flows.Runtime;

namespace VoiceAgent.Flows.Tests;

/// <summary>
/// The engine knows no telephony (issue #12): calls, callers, dialling and transfers are words of the activities'
/// module, which brings its own bookmark payloads, outcomes and run-end behaviour, as Elsa's modules do.
/// </summary>
public sealed partial class EngineVocabularyTests
{
    private static readonly Assembly Engine = typeof(FlowRunner).Assembly;

    [GeneratedRegex("Call|Dial|Transfer|Hang_?up|Phone|Telephon|Twilio|Sipgate", RegexOptions.IgnoreCase)]
    private static partial Regex TelephonyWord();

    [Fact]
    public void Engine_assembly_has_no_telephony_types()
    {
        var types = Engine.GetTypes().Where(t => !t.IsDefined(typeof(System.Runtime.CompilerServices.CompilerGeneratedAttribute)));

        var telephonyTypes = types.Select(t => t.FullName!).Where(name => TelephonyWord().IsMatch(name)).ToList();

        Assert.Empty(telephonyTypes);
    }

    [Fact]
    public void Engine_public_members_and_constants_name_no_telephony()
    {
        var members = Engine.GetExportedTypes()
            .SelectMany(t => t.GetMembers(BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                .Select(m => (Name: $"{t.Name}.{m.Name}", Value: m is FieldInfo { IsLiteral: true } f ? f.GetRawConstantValue() as string : null)));

        var telephonyMembers = members.Where(m => TelephonyWord().IsMatch(m.Name) || (m.Value is { } v && TelephonyWord().IsMatch(v)))
            .Select(m => m.Name).ToList();

        Assert.Empty(telephonyMembers);
    }

    [Fact]
    public void Telephony_words_live_with_the_activities()
    {
        var activities = typeof(CallerInput).Assembly;

        Assert.All(new[] { typeof(ICallChannel), typeof(SayOptions), typeof(CallerInput), typeof(NoCallerInput), typeof(DialResult),
            typeof(DialStatus), typeof(BookmarkKinds), typeof(CallOutcomes), typeof(CallUiHints), typeof(CallEnding) },
            t => Assert.Same(activities, t.Assembly));
        Assert.Contains(Flow.Registry.RunEndHandlers, h => h is CallEnding);
    }

    [Fact]
    public void Stored_values_keep_their_spelling()
    {
        Assert.Equal("caller-input", BookmarkKinds.CallerInput);
        Assert.Equal("dial-result", BookmarkKinds.DialResult);
        Assert.Equal(["Connected", "NoAnswer", "Busy", "Transferred", "MessageTaken"],
            [CallOutcomes.Connected, CallOutcomes.NoAnswer, CallOutcomes.Busy, CallOutcomes.Transferred, CallOutcomes.MessageTaken]);
        Assert.Equal("transfer-target", CallUiHints.TransferTarget);
        Assert.Equal(["Agent", "Caller", "System"], [TranscriptRole.Agent.Name, TranscriptRole.Caller.Name, TranscriptRole.System.Name]);
        Assert.Equal(["Connected", "NoAnswer", "Busy", "Failed"], Enum.GetNames<DialStatus>());
    }

    [Fact]
    public void Transfer_descriptor_keeps_its_outcomes_and_ui_hint()
    {
        var transfer = Flow.Registry.Descriptors.Single(d => d.Type == "Transfer");

        Assert.Equal(["Connected", "NoAnswer", "Busy", "Failed"], transfer.Outcomes.Select(o => o.Name));
        Assert.Equal("transfer-target", transfer.Inputs.Single(i => i.Name == "target").UiHint);
    }

    [Fact]
    public async Task A_session_stored_before_the_move_resumes_and_is_stored_the_same_way()
    {
        // flow_sessions.state as the engine wrote it while TranscriptRole was an enum and the bookmark kinds lived in it.
        const string stored = """
            {"id":"0f3c","status":1,"currentNodeId":"listen","bookmark":{"kind":"caller-input","nodeId":"listen","timeoutSeconds":6},"variables":{"caller":{"number":"+491701234567"}},"transcript":[{"role":"Agent","text":"Guten Tag, Sie sprechen mit dem KI-Assistenten.","nodeId":"hello","at":"2026-11-20T14:05:00+00:00"}],"counters":{},"steps":3,"incidents":[]}
            """;
        var instance = FlowInstance.FromJson(stored);
        Assert.Equal(stored, instance.ToJson());

        var ports = new Ports();
        var plan = Runtime.FlowPlan.Compile(Flow.Of(
            [("start", "Start", null), ("hello", "Speak", new { text = "Guten Tag" }), ("listen", "Listen", null), ("bye", "Hangup", new { goodbye = "Tschüss" })],
            ("start", "Done", "hello"), ("hello", "Done", "listen"), ("listen", "Recognized", "bye"), ("listen", "NoInput", "bye"),
            ("listen", "NoMatch", "bye")), Flow.Registry);
        var result = await new FlowRunner(ports, new FixedTime()).ResumeAsync(plan, instance, new CallerInput("Ich möchte einen Termin"));

        Assert.Equal(FlowStatus.Completed, result.Status);
        Assert.Equal([TranscriptRole.Agent, TranscriptRole.Caller, TranscriptRole.Agent], instance.Transcript.Select(t => t.Role));
        var transcript = JsonNode.Parse(instance.ToJson())!["transcript"]!.AsArray();
        Assert.Equal(["Agent", "Caller", "Agent"], transcript.Select(t => t!["role"]!.GetValue<string>()));
        Assert.Contains("""{"role":"Caller","text":"Ich möchte einen Termin","nodeId":"listen","at":"2026-11-20T14:05:00+00:00"}""",
            instance.ToJson());
    }

    [Fact]
    public async Task Runner_resumes_any_module_stimulus_and_lets_the_module_close_the_run()
    {
        var registry = ActivityRegistry.FromAssemblies(typeof(AwaitApproval).Assembly);
        var plan = Runtime.FlowPlan.Compile(Flow.Of(
            [("start", "Start", null), ("wait", AwaitApproval.Type, null), ("boom", FailingStep.Type, null)],
            ("start", "Done", "wait"), ("wait", Outcomes.Done, "boom")), registry);
        var instance = FlowRunner.NewInstance(plan);
        var runner = new FlowRunner(new Ports(), new FixedTime());

        var waiting = await runner.StartAsync(plan, instance);
        Assert.Equal(new Bookmark(Approval.BookmarkKind, "wait"), waiting.Bookmark);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await runner.ResumeAsync(plan, instance, new CallerInput("ja")));

        var restored = FlowInstance.FromJson(instance.ToJson());
        var ended = await runner.ResumeAsync(plan, restored, new Approval("Frau Weber"));

        Assert.Equal(FlowStatus.Faulted, ended.Status);
        Assert.Equal(["Reviewer: Frau Weber", "System: ended Failed at boom"], restored.Transcript.Select(t => $"{t.Role}: {t.Text}"));
        Assert.Equal(IncidentKinds.PortFailure, Assert.Single(restored.Incidents).Kind);
        Assert.DoesNotContain(registry.RunEndHandlers, h => h is CallEnding);
    }

    [Fact]
    public async Task A_failing_run_end_handler_becomes_an_incident()
    {
        var ports = new Ports();
        ports.Add<ICallChannel>(new BrokenChannel());
        var plan = Runtime.FlowPlan.Compile(Flow.Of(
            [("start", "Start", null), ("find", "FindSlots", null), ("bye", "Hangup", null)],
            ("start", "Done", "find"), ("find", "Found", "bye"), ("find", "NotFound", "bye")), Flow.Registry);
        ports.Calendar.Failure = new TimeoutException("calendar took too long");
        var instance = FlowRunner.NewInstance(plan);

        var result = await new FlowRunner(ports, new FixedTime()).StartAsync(plan, instance);

        Assert.Equal(FlowStatus.Faulted, result.Status);
        Assert.StartsWith("Entschuldigung", Assert.Single(instance.Transcript).Text);
        Assert.Equal(["find: TimeoutException: calendar took too long", "find: Channel: line dropped", "find: Channel: line dropped"],
            instance.Incidents.Select(i => $"{i.NodeId}: {i.Message}"));
    }

    private sealed class BrokenChannel : ICallChannel
    {
        public ValueTask SayAsync(string text, SayOptions options, CancellationToken cancellationToken) => throw new IOException("line dropped");

        public ValueTask TransferAsync(string target, CancellationToken cancellationToken) => throw new IOException("line dropped");

        public ValueTask HangupAsync(CancellationToken cancellationToken) => throw new IOException("line dropped");
    }
}

internal sealed class FixedTime : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => new(2026, 11, 20, 14, 5, 0, TimeSpan.Zero);
}

// A module of its own, unknown to the engine: a bookmark payload, a transcript role and a run-end handler.

public sealed record Approval(string By) : Stimulus(BookmarkKind)
{
    public const string BookmarkKind = "approval";

    public override TranscriptEntry? ToTranscript(string nodeId, DateTimeOffset at) => new(new TranscriptRole("Reviewer"), By, nodeId, at);
}

[Activity(Type, "Test", "Freigabe abwarten", "Await approval", Waits = true)]
[Outcome(Outcomes.Done, "Weiter", "Next")]
public sealed class AwaitApproval : Activity
{
    public const string Type = "AwaitApproval";

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context) => ValueTask.FromResult(context.Suspend(Approval.BookmarkKind));

    public override ValueTask<ActivityResult> ResumeAsync(ActivityContext context, Stimulus stimulus) => Completed(Outcomes.Done);
}

[Activity(Type, "Test", "Scheitern", "Fail")]
[Outcome(Outcomes.Failed, "Fehler", "Failed")]
public sealed class FailingStep : Activity
{
    public const string Type = "FailingStep";

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context) => throw new PortException("approval service down");
}

public sealed class RecordingRunEnd : IRunEndHandler
{
    public ValueTask RunEndedAsync(ActivityContext context, RunEndReason reason)
    {
        context.Transcribe(TranscriptRole.System, $"ended {reason} at {context.NodeId}");
        return ValueTask.CompletedTask;
    }
}
