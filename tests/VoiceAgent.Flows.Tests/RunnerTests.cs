using System.Text.Json.Nodes;
using VoiceAgent.Activities.Calls;
using VoiceAgent.Flows.Runtime;

namespace VoiceAgent.Flows.Tests;

public sealed class RunnerTests
{
    private readonly Ports ports = new();

    private FlowRunner Runner(int maxSteps = 1000) => new(ports, TimeProvider.System, new FlowRunnerOptions { MaxSteps = maxSteps });

    private static Runtime.FlowPlan BookingPlan() => Flow.BookingPlan();

    [Fact]
    public async Task Run_speaks_then_suspends_at_listen_without_holding_a_thread()
    {
        var plan = BookingPlan();
        var instance = FlowRunner.NewInstance(plan, Flow.Caller());

        var result = await Runner().StartAsync(plan, instance);

        Assert.Equal(FlowStatus.Suspended, result.Status);
        Assert.Equal(new Bookmark(BookmarkKinds.CallerInput, "listen", 6), result.Bookmark);
        Assert.Equal(["start", "hello", "listen"], result.Visited);
        Assert.Equal(["Guten Tag, Sie sprechen mit dem KI-Assistenten."], ports.Channel.Said);
    }

    [Fact]
    public async Task Booking_path_follows_outcomes_and_resumes_after_a_json_round_trip()
    {
        var plan = BookingPlan();
        var instance = FlowRunner.NewInstance(plan, Flow.Caller());
        await Runner().StartAsync(plan, instance);

        // Suspend → JSON → another "node of the cluster": a new plan, runner and instance object.
        var restored = FlowInstance.FromJson(instance.ToJson());
        var plan2 = BookingPlan();
        var offer = await Runner().ResumeAsync(plan2, restored, new CallerInput("Ich möchte einen Termin"));
        Assert.Equal(["listen", "route", "find", "offer", "confirm"], offer.Visited);
        Assert.Equal("Ich hätte Montag um 9:00 Uhr frei. Passt das?", ports.Channel.Said[^1]);

        var again = FlowInstance.FromJson(restored.ToJson());
        var done = await Runner().ResumeAsync(plan2, again, new CallerInput("ja"));

        Assert.Equal(FlowStatus.Completed, done.Status);
        Assert.Equal(["confirm", "yes", "book", "booked"], done.Visited);
        Assert.Equal("Ihr Termin ist eingetragen: Montag um 9 Uhr. Auf Wiederhören!", ports.Channel.Said[^1]);
        Assert.True(ports.Channel.HungUp);
        var booking = Assert.Single(ports.Calendar.Bookings);
        Assert.Equal("+491701234567", booking.CallerNumber);
        Assert.Equal("Termin +491701234567", booking.Title);
        Assert.Equal("Telefonisch gebucht über VoiceAgent. Anrufer: +491701234567.", booking.Description);
        Assert.Equal($"{again.Id}:2026-11-23T09:00:00+01:00", booking.IdempotencyKey);
        Assert.Equal(["agent", "caller", "agent", "caller", "agent"],
            again.Transcript.Select(t => t.Role.ToString().ToLowerInvariant()));
    }

    [Fact]
    public async Task Declining_an_offer_loops_back_and_offers_the_next_slot()
    {
        var plan = BookingPlan();
        var instance = FlowRunner.NewInstance(plan, Flow.Caller());
        await Runner().StartAsync(plan, instance);
        await Runner().ResumeAsync(plan, instance, new CallerInput("Termin bitte"));

        var next = await Runner().ResumeAsync(plan, instance, new CallerInput("nein"));

        Assert.Equal(["confirm", "yes", "find", "offer", "confirm"], next.Visited);
        Assert.Equal("Ich hätte Montag um 9:30 Uhr frei. Passt das?", ports.Channel.Said[^1]);
    }

    [Fact]
    public async Task Listen_reprompts_on_silence_then_takes_no_input()
    {
        var plan = BookingPlan();
        var instance = FlowRunner.NewInstance(plan);
        await Runner().StartAsync(plan, instance);

        var first = await Runner().ResumeAsync(plan, instance, new NoCallerInput());
        Assert.Equal(FlowStatus.Suspended, first.Status);
        Assert.Equal("Sind Sie noch da? Ich habe Sie leider nicht gehört.", ports.Channel.Said[^1]);

        var second = await Runner().ResumeAsync(plan, instance, new NoCallerInput());
        Assert.Equal(["listen", "bye"], second.Visited);
        Assert.Equal(FlowStatus.Completed, second.Status);
    }

    [Fact]
    public async Task Listen_reprompts_when_not_understood_then_takes_no_match()
    {
        var plan = BookingPlan();
        var instance = FlowRunner.NewInstance(plan);
        await Runner().StartAsync(plan, instance);

        await Runner().ResumeAsync(plan, instance, new CallerInput("Blumenkohl"));
        Assert.StartsWith("Entschuldigung, das habe ich nicht verstanden", ports.Channel.Said[^1]);
        var second = await Runner().ResumeAsync(plan, instance, new CallerInput("Rosenkohl"));

        Assert.Equal(["listen", "bye"], second.Visited);
        Assert.Equal("Rosenkohl", instance.Variables["lastInput"]!.GetValue<string>());
    }

    [Fact]
    public async Task Failing_port_takes_the_failed_outcome_and_records_an_incident()
    {
        ports.Calendar.Failure = new HttpRequestException("503 Service Unavailable");
        var plan = BookingPlan();
        var instance = FlowRunner.NewInstance(plan);
        await Runner().StartAsync(plan, instance);

        var result = await Runner().ResumeAsync(plan, instance, new CallerInput("Termin"));

        Assert.Equal(["listen", "route", "find", "none"], result.Visited);
        Assert.Equal("Leider ist nichts frei.", ports.Channel.Said[^1]);
        var incident = Assert.Single(instance.Incidents);
        Assert.Equal(IncidentKinds.PortFailure, incident.Kind);
        Assert.Equal("find", incident.NodeId);
    }

    [Fact]
    public async Task Unconnected_failed_outcome_apologises_and_ends_the_call()
    {
        var plan = BookingPlan();
        var instance = FlowRunner.NewInstance(plan, Flow.Caller());
        await Runner().StartAsync(plan, instance);
        await Runner().ResumeAsync(plan, instance, new CallerInput("Termin"));

        // book (CreateEvent) has no Failed connection in this flow.
        ports.Calendar.Failure = new TimeoutException("calendar took too long");
        var result = await Runner().ResumeAsync(plan, instance, new CallerInput("ja"));

        Assert.Equal(FlowStatus.Faulted, result.Status);
        Assert.StartsWith("Entschuldigung, da ist gerade ein technisches Problem aufgetreten.", ports.Channel.Said[^1]);
        Assert.True(ports.Channel.HungUp);
    }

    [Fact]
    public async Task A_bug_in_an_activity_is_an_incident_not_a_crash()
    {
        ports.Add<Activities.Ports.ICalendarGateway>(new ThrowingCalendar());
        var plan = BookingPlan();
        var instance = FlowRunner.NewInstance(plan);
        await Runner().StartAsync(plan, instance);

        var result = await Runner().ResumeAsync(plan, instance, new CallerInput("Termin"));

        Assert.Equal("none", result.Visited[^1]);
        Assert.Equal(IncidentKinds.ActivityError, Assert.Single(instance.Incidents).Kind);
    }

    [Fact]
    public async Task Step_limit_ends_a_runaway_run_politely_with_an_incident()
    {
        var plan = Runtime.FlowPlan.Compile(Flow.Of(
            [("start", "Start", null), ("ask", "Speak", new { text = "Wie bitte?" }), ("listen", "Listen", new { maxRetries = 0 })],
            ("start", "Done", "ask"), ("ask", "Done", "listen"), ("listen", "Recognized", "ask"), ("listen", "NoInput", "ask"),
            ("listen", "NoMatch", "ask")), Flow.Registry);
        var instance = FlowRunner.NewInstance(plan);
        var runner = Runner(maxSteps: 10);
        var result = await runner.StartAsync(plan, instance);
        for (var i = 0; i < 10 && result.Status == FlowStatus.Suspended; i++)
        {
            result = await runner.ResumeAsync(plan, instance, new CallerInput("Blumenkohl"));
        }

        Assert.Equal(FlowStatus.Faulted, result.Status);
        Assert.Equal(10, instance.Steps);
        Assert.Equal(IncidentKinds.StepLimit, Assert.Single(instance.Incidents).Kind);
        Assert.StartsWith("Entschuldigung, ich komme hier gerade nicht weiter.", ports.Channel.Said[^1]);
        Assert.True(ports.Channel.HungUp);
    }

    [Fact]
    public async Task Resume_with_the_wrong_stimulus_or_when_not_waiting_is_refused()
    {
        var plan = BookingPlan();
        var instance = FlowRunner.NewInstance(plan);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await Runner().ResumeAsync(plan, instance, new CallerInput("x")));
        await Runner().StartAsync(plan, instance);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await Runner().ResumeAsync(plan, instance, new DialResult(DialStatus.Busy)));
        Assert.Equal(FlowStatus.Suspended, instance.Status);
    }

    [Fact]
    public async Task Handoff_transfers_when_reachable_and_takes_a_message_when_nobody_answers()
    {
        var plan = Runtime.FlowPlan.Compile(Flow.Of(
            [("start", "Start", null), ("handoff", "Handoff", null), ("ok", "Hangup", null), ("msg", "Hangup", new { goodbye = "Tschüss" })],
            ("start", "Done", "handoff"), ("handoff", "Transferred", "ok"), ("handoff", "MessageTaken", "msg")), Flow.Registry);
        var instance = FlowRunner.NewInstance(plan, Flow.Caller());

        var dialling = await Runner().StartAsync(plan, instance);
        Assert.Equal(BookmarkKinds.DialResult, dialling.Bookmark!.Kind);
        Assert.Equal(["+4930123456"], ports.Channel.Transfers);

        var recording = await Runner().ResumeAsync(plan, instance, new DialResult(DialStatus.NoAnswer));
        Assert.Equal(BookmarkKinds.CallerInput, recording.Bookmark!.Kind);
        Assert.StartsWith("Leider ist gerade niemand erreichbar", ports.Channel.Said[^1]);

        var done = await Runner().ResumeAsync(plan, FlowInstance.FromJson(instance.ToJson()), new CallerInput("Bitte Rückruf wegen Rezept"));
        Assert.Equal(["handoff", "msg"], done.Visited);
        var message = Assert.Single(ports.Messages.Messages);
        Assert.Equal("Bitte Rückruf wegen Rezept", message.Message);
        Assert.Equal("+491701234567", message.CallerNumber);
        Assert.Contains("Anrufer: Bitte Rückruf wegen Rezept", message.Summary);
    }

    [Fact]
    public async Task Transfer_to_a_target_outside_the_allow_list_fails_without_dialling()
    {
        var plan = Runtime.FlowPlan.Compile(Flow.Of(
            [("start", "Start", null), ("t", "Transfer", new { target = "+499001234567" }), ("a", "Hangup", null), ("b", "Hangup", null), ("c", "Hangup", null), ("f", "Hangup", new { goodbye = "Das geht leider nicht." })],
            ("start", "Done", "t"), ("t", "Connected", "a"), ("t", "NoAnswer", "b"), ("t", "Busy", "c"), ("t", "Failed", "f")), Flow.Registry);
        var instance = FlowRunner.NewInstance(plan);

        var result = await Runner().StartAsync(plan, instance);

        Assert.Equal(["start", "t", "f"], result.Visited);
        Assert.Empty(ports.Channel.Transfers);
    }

    [Fact]
    public async Task Set_variable_and_decision_use_the_expression_language()
    {
        var plan = Runtime.FlowPlan.Compile(Flow.Of(
            [("start", "Start", null), ("set", "SetVariable", new { name = "vip", value = "caller.number contains \"170\"" }),
             ("d", "Decision", new { condition = "vip and not (caller.number == \"\")" }), ("yes", "Hangup", new { goodbye = "VIP" }), ("no", "Hangup", null)],
            ("start", "Done", "set"), ("set", "Done", "d"), ("d", "True", "yes"), ("d", "False", "no")), Flow.Registry);
        var instance = FlowRunner.NewInstance(plan, Flow.Caller());

        var result = await Runner().StartAsync(plan, instance);

        Assert.Equal("yes", result.Visited[^1]);
        Assert.True(instance.Variables["vip"]!.GetValue<bool>());
    }

    private sealed class ThrowingCalendar : FakeCalendarBase
    {
        public override ValueTask<IReadOnlyList<Activities.Ports.Slot>> FindSlotsAsync(Activities.Ports.SlotRequest request, CancellationToken cancellationToken) =>
            throw new NullReferenceException("bug");
    }
}

internal abstract class FakeCalendarBase : Activities.Ports.ICalendarGateway
{
    public abstract ValueTask<IReadOnlyList<Activities.Ports.Slot>> FindSlotsAsync(Activities.Ports.SlotRequest request, CancellationToken cancellationToken);

    public ValueTask<Activities.Ports.BookingResult> CreateEventAsync(Activities.Ports.BookingRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();

    public ValueTask<IReadOnlyList<Activities.Ports.CalendarEvent>> ListEventsAsync(string callerNumber, CancellationToken cancellationToken) => throw new NotSupportedException();

    public ValueTask<bool> CancelEventAsync(string eventId, string callerNumber, CancellationToken cancellationToken) => throw new NotSupportedException();
}
