using System.Text.Json.Nodes;
using Bunit;
using VoiceAgent.CallFlows;
using VoiceAgent.Designer.Console;
using VoiceAgent.Flows.Runtime;
using VoiceAgent.Web.Tests.Components;

namespace VoiceAgent.Web.Tests.Designer;

/// <summary>
/// The designer's test console as it renders turns (no database: the model is filled as the shell fills it): the
/// transcript's lines, status, variables, trace, incidents and transfers, the microphone's states and messages, in German.
/// </summary>
public sealed class ConsoleViewTests : MudComponentTest
{
    private static readonly Guid FlowId = Guid.Parse("0193f1a2-0000-7000-8000-000000000001");
    private static readonly Guid SessionId = Guid.Parse("0193f1a2-0000-7000-8000-0000000000aa");

    private static string Title(string id) => id switch
    {
        "intent" => "intent (Frage stellen)",
        "findSlots" => "findSlots (Termine suchen)",
        _ => id,
    };

    private IRenderedComponent<TestConsoleView> RenderView(ConsoleModel model, bool speech = false, Action<string>? sent = null,
        Action<string>? focused = null, Action? mic = null) =>
        Render<TestConsoleView>(p => p
            .Add(v => v.Model, model)
            .Add(v => v.FlowId, FlowId)
            .Add(v => v.SpeechToText, speech)
            .Add(v => v.NodeTitle, Title)
            .Add(v => v.OnSend, text => sent?.Invoke(text))
            .Add(v => v.OnFocusNode, id => focused?.Invoke(id))
            .Add(v => v.OnMic, () => mic?.Invoke()));

    private static SimulationService.TurnResult Turn(string status, string[] lines, string[] visited, string? current, JsonObject variables,
        Incident[]? incidents = null, string[]? transfers = null) =>
        new(SessionId, 1, status, lines, visited, current, status == "suspended" ? "callerInput" : null, variables, incidents ?? [], transfers ?? []);

    private static ConsoleModel Started()
    {
        var model = new ConsoleModel();
        model.Show(Turn("suspended", ["Guten Tag, hier ist die Praxis Dr. Weber.", "Was kann ich für Sie tun?"], ["start", "greeting", "intent"],
            "intent", new JsonObject { ["caller"] = new JsonObject { ["number"] = "+491701234567" }, ["tenant"] = new JsonObject { ["name"] = "Praxis Dr. Weber" } }));
        return model;
    }

    private static string[] Texts(IRenderedComponent<TestConsoleView> view, string selector) =>
        view.FindAll(selector).Select(e => e.TextContent.Trim()).ToArray();

    [Fact]
    public void Before_a_run_the_console_invites_to_start_and_nothing_can_be_answered()
    {
        var view = RenderView(new ConsoleModel(), speech: true);

        var status = view.Find("[data-testid='console-status']");
        Assert.Equal("idle", status.GetAttribute("data-state"));
        Assert.Equal("Starten Sie ein Testgespräch mit der geöffneten Version. Ohne verbundenen Kalender landen Termine im Testkalender.", status.TextContent);
        Assert.Contains("Test starten", view.Find("[data-testid='console-start']").TextContent);
        Assert.True(view.Find("[data-testid='console-reset']").HasAttribute("disabled"));
        Assert.Empty(view.FindAll("[data-testid='console-replay']"));
        Assert.True(view.Find("input[data-testid='console-input']").HasAttribute("disabled"));
        Assert.True(view.Find("[data-testid='console-send']").HasAttribute("disabled"));
        Assert.True(view.Find("[data-testid='console-mic']").HasAttribute("disabled"));
        Assert.Empty(view.FindAll("[data-testid='console-transcript'] li"));
        Assert.Equal("/app/calendar", view.Find("[data-testid='console-calendar']").GetAttribute("href"));
    }

    [Fact]
    public void A_run_that_waits_shows_the_agents_lines_the_current_node_variables_trace_and_the_replay_link()
    {
        var model = Started();

        var view = RenderView(model);

        var lines = view.FindAll("[data-testid='console-transcript'] li");
        Assert.Equal(["agent", "agent"], lines.Select(l => l.GetAttribute("data-role")));
        Assert.Equal("Assistent: Guten Tag, hier ist die Praxis Dr. Weber.", lines[0].TextContent.Trim());
        var status = view.Find("[data-testid='console-status']");
        Assert.Equal("waiting", status.GetAttribute("data-state"));
        Assert.Equal("Wartet auf Ihre Antwort. Aktueller Baustein: intent (Frage stellen)", status.TextContent);
        Assert.Equal(["start", "greeting", "intent (Frage stellen)"], Texts(view, "[data-testid='console-trace'] li"));
        Assert.Equal("intent", view.FindAll("[data-testid='console-trace'] button")[2].GetAttribute("data-node"));
        var variables = view.Find("[data-testid='console-variables']").TextContent;
        Assert.Contains("\"name\": \"Praxis Dr. Weber\"", variables);
        Assert.Contains("\n  \"caller\": {", variables);
        Assert.Equal($"/app/flows/{FlowId}/sessions/{SessionId}/replay", view.Find("[data-testid='console-replay']").GetAttribute("href"));
        Assert.Equal("_blank", view.Find("[data-testid='console-replay']").GetAttribute("target"));
        Assert.Contains("Im Ablauf ansehen", view.Find("[data-testid='console-replay']").TextContent);
        Assert.False(view.Find("input[data-testid='console-input']").HasAttribute("disabled"));
        Assert.False(view.Find("[data-testid='console-reset']").HasAttribute("disabled"));
        Assert.Empty(view.FindAll("[data-testid='console-mic']"));
        Assert.Equal("waiting", model.State.ToString().ToLowerInvariant());
        Assert.Equal("intent", model.WaitingAt);
    }

    [Fact]
    public void Later_turns_add_the_callers_answer_only_new_incidents_transfers_and_the_trace_grows()
    {
        var model = Started();
        var incident = new Incident("calendar", "findSlots", "Der Kalender antwortet nicht.", DateTimeOffset.UnixEpoch);
        model.Add(ConsoleLineKind.Caller, "Ich möchte einen Termin");
        model.Show(Turn("suspended", ["Leider ist gerade nichts frei."], ["findSlots", "sorry"], "sorry", new JsonObject(), [incident]));
        model.Add(ConsoleLineKind.Caller, "Dann verbinden Sie mich bitte");
        model.Show(Turn("completed", [], ["handoff"], "handoff", new JsonObject { ["event"] = null }, [incident], ["+4930123456"]));

        var view = RenderView(model);

        Assert.Equal(
        [
            "Assistent: Guten Tag, hier ist die Praxis Dr. Weber.",
            "Assistent: Was kann ich für Sie tun?",
            "Anrufer: Ich möchte einen Termin",
            "Assistent: Leider ist gerade nichts frei.",
            "Störung: Der Kalender antwortet nicht.",
            "Anrufer: Dann verbinden Sie mich bitte",
            "Weiterleitung an +4930123456",
        ], Texts(view, "[data-testid='console-transcript'] li"));
        Assert.Equal(["agent", "agent", "caller", "agent", "system", "caller", "system"],
            view.FindAll("[data-testid='console-transcript'] li").Select(l => l.GetAttribute("data-role")));
        var status = view.Find("[data-testid='console-status']");
        Assert.Equal("ended", status.GetAttribute("data-state"));
        Assert.Equal("Das Gespräch ist beendet. Aktueller Baustein: handoff", status.TextContent);
        Assert.Equal(["start", "greeting", "intent (Frage stellen)", "findSlots (Termine suchen)", "sorry", "handoff"],
            Texts(view, "[data-testid='console-trace'] li"));
        Assert.Contains("\"event\": null", view.Find("[data-testid='console-variables']").TextContent);
        Assert.True(view.Find("input[data-testid='console-input']").HasAttribute("disabled"));
        Assert.Null(model.WaitingAt);
    }

    [Fact]
    public void A_flow_with_errors_or_a_refused_run_fails_with_a_German_reason()
    {
        var model = new ConsoleModel();
        model.Fail(ConsoleLineKind.Invalid);

        var view = RenderView(model);

        var line = view.Find("[data-testid='console-transcript'] li[data-role='system']");
        Assert.Equal("Der Test konnte nicht laufen: Der Ablauf hat noch Fehler. Beheben Sie sie zuerst (Liste unter „Eigenschaften“).",
            line.TextContent.Trim());
        var status = view.Find("[data-testid='console-status']");
        Assert.Equal("failed", status.GetAttribute("data-state"));
        Assert.Equal("Das Gespräch ist beendet.", status.TextContent);
        Assert.False(view.Find("[data-testid='console-reset']").HasAttribute("disabled"));

        var ended = Started();
        ended.Fail(ConsoleLineKind.Failed, "Dieses Gespräch ist beendet. Starten Sie eine neue Simulation.");
        var after = RenderView(ended);
        Assert.Equal("Der Test konnte nicht laufen: Dieses Gespräch ist beendet. Starten Sie eine neue Simulation.",
            Texts(after, "[data-testid='console-transcript'] li").Last());
        Assert.True(after.Find("input[data-testid='console-input']").HasAttribute("disabled"));
    }

    [Fact]
    public void The_microphone_is_offered_with_speech_to_text_and_shows_recording_and_sending()
    {
        var model = Started();
        var view = RenderView(model, speech: true);

        var mic = view.Find("[data-testid='console-mic']");
        Assert.False(mic.HasAttribute("disabled"));
        Assert.Equal("Antwort sprechen", mic.GetAttribute("aria-label"));
        Assert.Equal("false", mic.GetAttribute("aria-pressed"));
        var micStatus = view.Find("[data-testid='console-mic-status']");
        Assert.True(micStatus.HasAttribute("hidden"));

        model.Mic = MicState.Recording;
        model.Capture = "worklet";
        view.Render();
        mic = view.Find("[data-testid='console-mic']");
        Assert.False(mic.HasAttribute("disabled"));
        Assert.Equal("true", mic.GetAttribute("aria-pressed"));
        Assert.Equal("Aufnahme beenden und senden", mic.GetAttribute("aria-label"));
        Assert.Equal("worklet", mic.GetAttribute("data-capture"));
        Assert.Contains("va-recording", mic.ClassList);
        micStatus = view.Find("[data-testid='console-mic-status']");
        Assert.False(micStatus.HasAttribute("hidden"));
        Assert.Equal("recording", micStatus.GetAttribute("data-state"));
        Assert.Equal("Aufnahme läuft – zum Senden erneut drücken (höchstens 15 Sekunden).", micStatus.TextContent);
        Assert.True(view.Find("input[data-testid='console-input']").HasAttribute("disabled"));
        Assert.True(view.Find("[data-testid='console-send']").HasAttribute("disabled"));

        model.Mic = MicState.Sending;
        model.Busy = true;
        view.Render();
        Assert.True(view.Find("[data-testid='console-mic']").HasAttribute("disabled"));
        Assert.Equal("sending", view.Find("[data-testid='console-mic-status']").GetAttribute("data-state"));
        Assert.Equal("Ihre Antwort wird erkannt …", view.Find("[data-testid='console-mic-status']").TextContent);
    }

    [Fact]
    public void A_spoken_answer_shows_what_was_heard_and_nothing_heard_shows_the_hint()
    {
        var model = Started();
        var variables = new JsonObject { ["lastInput"] = "Ich möchte gerne einen Termin vereinbaren" };
        model.Show(new FlowsApi.SpeechTurnResult("Ich möchte gerne einen Termin vereinbaren", null, SessionId, 1, "suspended",
            ["Der nächste freie Termin wäre am Dienstag. Passt Ihnen das?"], ["findSlots", "offer"], "offer", "callerInput", variables, [], []));
        model.Show(new FlowsApi.SpeechTurnResult("", "Es wurde nichts verstanden. Sprechen Sie bitte etwas lauter und deutlicher und versuchen Sie es noch einmal.",
            SessionId, 1, "suspended", [], [], "offer", "callerInput", variables, [], []));

        var view = RenderView(model, speech: true);

        var spoken = view.Find("[data-testid='console-transcript'] li[data-source='speech']");
        Assert.Equal("caller", spoken.GetAttribute("data-role"));
        Assert.Equal("Sie sagten: Ich möchte gerne einen Termin vereinbaren", spoken.TextContent.Trim());
        Assert.NotNull(spoken.QuerySelector("svg"));
        var texts = Texts(view, "[data-testid='console-transcript'] li");
        Assert.Equal("Assistent: Der nächste freie Termin wäre am Dienstag. Passt Ihnen das?", texts[^2]);
        Assert.StartsWith("Es wurde nichts verstanden.", texts[^1]);
        Assert.Equal("waiting", view.Find("[data-testid='console-status']").GetAttribute("data-state"));
        Assert.Equal(["start", "greeting", "intent (Frage stellen)", "findSlots (Termine suchen)", "offer"], Texts(view, "[data-testid='console-trace'] li"));
    }

    [Theory]
    [InlineData(ConsoleLineKind.MicDenied, "", "Der Browser hat den Zugriff auf das Mikrofon verweigert. Erlauben Sie das Mikrofon für diese Seite (Symbol links in der Adressleiste) und versuchen Sie es erneut – oder tippen Sie Ihre Antwort.")]
    [InlineData(ConsoleLineKind.MicMissing, "", "Es wurde kein Mikrofon gefunden. Schließen Sie eines an oder tippen Sie Ihre Antwort.")]
    [InlineData(ConsoleLineKind.MicBusy, "", "Das Mikrofon lässt sich nicht öffnen – vielleicht benutzt es gerade ein anderes Programm.")]
    [InlineData(ConsoleLineKind.MicUnsupported, "", "Dieser Browser kann hier nicht aufnehmen. Tippen Sie Ihre Antwort.")]
    [InlineData(ConsoleLineKind.MicFailed, "AudioContext closed", "Die Aufnahme ist fehlgeschlagen: AudioContext closed")]
    public void A_microphone_problem_is_explained_in_German_and_the_caller_can_still_type_or_retry(ConsoleLineKind kind, string text, string expected)
    {
        var model = Started();
        model.Add(kind, text);

        var view = RenderView(model, speech: true);

        var line = view.FindAll("[data-testid='console-transcript'] li[data-role='system']").Last();
        Assert.Equal(expected, line.TextContent.Trim());
        var mic = view.Find("[data-testid='console-mic']");
        Assert.Equal("false", mic.GetAttribute("aria-pressed"));
        Assert.False(mic.HasAttribute("disabled"));
        Assert.False(view.Find("input[data-testid='console-input']").HasAttribute("disabled"));
        Assert.Equal("waiting", view.Find("[data-testid='console-status']").GetAttribute("data-state"));
    }

    [Fact]
    public void Sending_passes_the_trimmed_answer_and_a_trace_entry_focuses_its_node()
    {
        var sent = new List<string>();
        var focused = new List<string>();
        var view = RenderView(Started(), sent: sent.Add, focused: focused.Add);

        view.Find("input[data-testid='console-input']").Input("  Ja, gerne  ");
        view.Find("form").Submit();
        Assert.Equal("", view.Find("input[data-testid='console-input']").GetAttribute("value") ?? "");
        view.Find("input[data-testid='console-input']").Input("   ");
        view.Find("form").Submit();
        view.Find("[data-testid='console-trace'] button[data-node='intent']").Click();

        Assert.Equal(["Ja, gerne"], sent);
        Assert.Equal(["intent"], focused);
    }
}
