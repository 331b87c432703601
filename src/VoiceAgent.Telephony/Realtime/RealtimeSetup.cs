using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using VoiceAgent.Flows.Definitions;
using VoiceAgent.Flows.Runtime;
using VoiceAgent.Platform.Ports;
using VoiceAgent.Telephony.Calls;

namespace VoiceAgent.Telephony.Realtime;

/// <summary>
/// What the speech model of a Realtime call is told, read from the call's flow: the tenant's system prompt, the Ask nodes'
/// instructions, the greeting (what the flow's first turn said — the AI disclosure and the first Speak text), and as
/// function tools the calendar actions the flow uses, a transfer when it has a Transfer or Handoff node, and
/// <c>end_call</c>. The settings of those nodes (slot duration, look-ahead, transfer target) apply as in the flow.
/// </summary>
public sealed record RealtimeSetup(
    string Instructions,
    IReadOnlyList<string> Greeting,
    RealtimeFlowTools Tools,
    string? CallerNumber,
    string InstanceId)
{
    /// <summary>The <c>session.update</c> of the GA interface: μ-law (G.711, 8 kHz) both ways, so Twilio's audio passes
    /// through unchanged; server-side turn detection that ends a turn after <paramref name="silenceMs"/> of silence (the
    /// pipeline's short window, not the API's 500 ms default); German transcription of the caller.</summary>
    public JsonObject SessionUpdate(string transcriptionModel, string voice, int silenceMs) => new()
    {
        ["type"] = "session.update",
        ["session"] = new JsonObject
        {
            ["type"] = "realtime",
            ["instructions"] = Instructions,
            ["audio"] = new JsonObject
            {
                ["input"] = new JsonObject
                {
                    ["format"] = new JsonObject { ["type"] = "audio/pcmu" },
                    ["turn_detection"] = new JsonObject { ["type"] = "server_vad", ["silence_duration_ms"] = silenceMs },
                    ["transcription"] = new JsonObject { ["model"] = transcriptionModel, ["language"] = "de" },
                },
                ["output"] = new JsonObject
                {
                    ["format"] = new JsonObject { ["type"] = "audio/pcmu" },
                    ["voice"] = voice,
                },
            },
            ["tools"] = Tools.Definitions(),
            ["tool_choice"] = "auto",
        },
    };

    /// <summary>The agent speaks first: a response whose instructions are the greeting, word for word.</summary>
    public JsonObject GreetingResponse() => new()
    {
        ["type"] = "response.create",
        ["response"] = new JsonObject
        {
            ["instructions"] = "Begrüße den Anrufer jetzt und sage dazu wörtlich: \"" + string.Join(" ", Greeting) + "\"",
        },
    };

    /// <summary>Reads the call's flow (in the tenant's scope, inside <see cref="TenantCalls.InCallAsync{T}(Guid, Guid, Func{TenantCall?, Task{T}}, CancellationToken)"/>).</summary>
    public static async Task<RealtimeSetup?> LoadAsync(VoiceAgentDb db, ITenantPromptText? prompts, TenantCall? call, CancellationToken ct)
    {
        if (call is not { Call: { SessionId: { } sessionId } c })
        {
            return null;
        }

        var run = await db.FlowSessions.AsNoTracking().Where(s => s.Id == sessionId)
            .Select(s => new { s.State, Definition = db.FlowVersions.Where(v => v.Id == s.VersionId).Select(v => v.Definition).FirstOrDefault() })
            .SingleOrDefaultAsync(ct);
        if (run?.Definition is null)
        {
            return null;
        }

        var definition = FlowJson.Parse(run.Definition);
        var instance = FlowInstance.FromJson(run.State);
        var greeting = instance.Transcript.Where(t => t.Role == TranscriptRole.Agent).Select(t => t.Text).ToList();
        if (greeting.Count == 0 && definition.Nodes.FirstOrDefault(n => n.Type == "Speak") is { } speak && Text(speak, "text") is { } first)
        {
            greeting.Add(first);
        }

        var prompt = prompts is null ? null : await prompts.RenderAsync(call.TenantId, ct);
        return new RealtimeSetup(BuildInstructions(prompt, definition), greeting, RealtimeFlowTools.For(definition), c.FromNumber, instance.Id);
    }

    private static string BuildInstructions(string? prompt, FlowDefinition definition)
    {
        var text = new StringBuilder();
        if (!string.IsNullOrWhiteSpace(prompt))
        {
            text.AppendLine(prompt.Trim()).AppendLine();
        }

        foreach (var ask in definition.Nodes.Where(n => n.Type == "Ask"))
        {
            if (Text(ask, "systemPrompt") is { } instruction)
            {
                text.AppendLine(instruction.Trim()).AppendLine();
            }
        }

        text.Append(CultureInfo.InvariantCulture, $"""
            Du führst ein Telefongespräch auf Deutsch. Sprich kurz, freundlich und natürlich, ein bis zwei Sätze je Antwort.
            Nenne Termine nur, wie sie die Funktionen liefern; erfinde keine Termine und buche nur einen Termin, den der Anrufer bestätigt hat.
            Wenn das Anliegen erledigt ist und der Anrufer nichts weiter möchte, verabschiede dich und rufe end_call auf.
            """);
        return text.ToString();
    }

    /// <summary>A node's text input as stored (templates are kept: the model reads them as a description).</summary>
    internal static string? Text(FlowNode node, string input) =>
        node.Inputs.TryGetValue(input, out var value) && value is JsonValue v && v.TryGetValue<string>(out var s) && !string.IsNullOrWhiteSpace(s) ? s : null;

    internal static int Number(FlowNode? node, string input, int fallback) =>
        node is not null && node.Inputs.TryGetValue(input, out var value) && value is JsonValue v && v.TryGetValue<int>(out var n) ? n : fallback;
}
