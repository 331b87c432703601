using VoiceAgent.Platform;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using NodaTime;
using NodaTime.Text;
using VoiceAgent.Platform.Ports;
using VoiceAgent.Activities.Calls;
using VoiceAgent.Activities.Ports;
using VoiceAgent.Flows.Definitions;
using VoiceAgent.Flows.Descriptors;
using VoiceAgent.Flows.Runtime;
using VoiceAgent.Flows.Validation;
using VoiceAgent.Calendars;
using VoiceAgent.CallFlows;
using VoiceAgent.CallFlows.Nlu;
using VoiceAgent.Platform.Speech;
using VoiceAgent.Telephony.Speech;

namespace VoiceAgent.Cli;

/// <summary><c>flows validate</c>, <c>flows simulate</c> and <c>nlu parse</c>: offline, no database needed.</summary>
internal static class FlowCommands
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static async Task<int> ValidateAsync(string? file, ActivityRegistry registry, TextWriter stdout, TextWriter stderr)
    {
        var (definition, code) = await LoadAsync(file, stdout, stderr);
        if (definition is null)
        {
            return code;
        }

        var errors = FlowValidator.Validate(definition, registry);
        await stdout.WriteLineAsync(errors.Count == 0
            ? JsonSerializer.Serialize(new { valid = true }, Json)
            : JsonSerializer.Serialize(new { valid = false, errors }, Json));
        return errors.Count == 0 ? 0 : 1;
    }

    public static async Task<int> SimulateAsync(string? file, IReadOnlyList<string> says, Dictionary<string, string> options,
        ActivityRegistry registry, IWebhookClient webhooks, TextWriter stdout, TextWriter stderr)
    {
        var (definition, code) = await LoadAsync(file, stdout, stderr);
        if (definition is null)
        {
            return code;
        }

        if (!TryClock(options, stderr, out var zone, out var clock))
        {
            return 2;
        }

        FlowPlan plan;
        try
        {
            plan = FlowPlan.Compile(definition, registry);
        }
        catch (FlowValidationException ex)
        {
            await stdout.WriteLineAsync(JsonSerializer.Serialize(new { valid = false, errors = ex.Errors }, Json));
            return 1;
        }

        var channel = new ConsoleChannel(stdout);
        var messages = new RecordingMessageBox();
        var services = new FlowServices()
            .Add<ICallChannel>(channel)
            .Add<IMessageBox>(messages)
            .Add<ICalendarGateway>(new InMemoryCalendarGateway(clock, zone))
            .Add<ILanguageUnderstanding>(new NluUnderstanding(zone, clock))
            .Add<ITransferTargets>(new NoTransferTargets())
            .Add(webhooks)
            .Add<IConversationModel>(new RuleBasedConversationModel(text => NluUnderstanding.IntentOf(text, zone, clock)));
        var runner = new FlowRunner(services, clock);
        var instance = FlowRunner.NewInstance(plan, new System.Text.Json.Nodes.JsonObject
        {
            ["caller"] = new System.Text.Json.Nodes.JsonObject { ["number"] = options.GetValueOrDefault("caller") ?? "+4915100000000" },
            ["tenant"] = new System.Text.Json.Nodes.JsonObject { ["name"] = options.GetValueOrDefault("tenant") ?? "Demo Praxis" },
        });

        // As in every call and in the portal's simulator: the AI disclosure comes first, whatever the flow says.
        await channel.SayAsync(CallFlows.Prompts.TenantPrompts.Disclosure("de", options.GetValueOrDefault("tenant") ?? "Demo Praxis"), default, default);
        var result = await runner.StartAsync(plan, instance);
        foreach (var text in says)
        {
            result = await DialThroughAsync(runner, plan, instance, result);
            if (result.Status != FlowStatus.Suspended)
            {
                break;
            }

            await stdout.WriteLineAsync($"Anrufer: {text}");
            clock.Advance(TimeSpan.FromSeconds(10));
            result = await runner.ResumeAsync(plan, instance, string.IsNullOrWhiteSpace(text) ? new NoCallerInput() : new CallerInput(text));
        }

        result = await DialThroughAsync(runner, plan, instance, result);
        foreach (var message in messages.Messages)
        {
            await stdout.WriteLineAsync($"[Nachricht an das Unternehmen: {message.Message}]");
        }

        foreach (var incident in instance.Incidents)
        {
            await stdout.WriteLineAsync($"[Vorfall {incident.Kind} bei {incident.NodeId}: {incident.Message}]");
        }

        await stdout.WriteLineAsync(result.Status switch
        {
            FlowStatus.Suspended => "[wartet auf den Anrufer]",
            FlowStatus.Faulted => "[Gespräch mit Fehler beendet]",
            _ => "[Gespräch beendet]",
        });
        return 0;
    }

    public static async Task<int> ParseAsync(string? text, Dictionary<string, string> options, TextWriter stdout, TextWriter stderr)
    {
        if (text is null)
        {
            await stderr.WriteLineAsync("Text fehlt: voiceagent nlu parse \"TEXT\" [--now 2026-11-21T09:00:00] [--tz Europe/Berlin]");
            return 2;
        }

        if (!TryClock(options, stderr, out var zone, out var clock))
        {
            return 2;
        }

        var result = GermanNlu.Parse(text, Instant.FromDateTimeOffset(clock.GetUtcNow()).InZone(zone));
        await stdout.WriteLineAsync(JsonSerializer.Serialize(new
        {
            intent = result.IntentName,
            date = result.Date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            time = result.Time?.ToString("HH:mm", CultureInfo.InvariantCulture),
            partOfDay = result.PartOfDay?.ToString().ToLowerInvariant(),
        }, Json));
        return 0;
    }

    // --now is the tenant's local wall-clock time (or an instant with offset); --tz its IANA zone.
    private static bool TryClock(Dictionary<string, string> options, TextWriter stderr, out DateTimeZone zone, out FixedTimeProvider clock)
    {
        clock = new FixedTimeProvider(DateTimeOffset.UtcNow);
        var zoneId = options.GetValueOrDefault("tz") ?? BusinessTime.ZoneId;
        zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(zoneId)!;
        if (zone is null)
        {
            stderr.WriteLine($"Unbekannte Zeitzone '{zoneId}' (z. B. Europe/Berlin, Europe/Vienna, Europe/Zurich).");
            return false;
        }

        if (options.GetValueOrDefault("now") is not { } now)
        {
            return true;
        }

        if (LocalDateTimePattern.GeneralIso.Parse(now) is { Success: true } local)
        {
            clock = new FixedTimeProvider(zone.AtLeniently(local.Value).ToDateTimeOffset());
            return true;
        }

        if (DateTimeOffset.TryParse(now, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant))
        {
            clock = new FixedTimeProvider(instant);
            return true;
        }

        stderr.WriteLine($"Ungültige Zeit '{now}' (Format 2026-11-21T09:00:00).");
        return false;
    }

    private static async Task<RunResult> DialThroughAsync(FlowRunner runner, FlowPlan plan, FlowInstance instance, RunResult result)
    {
        // The offline simulator has no phone line: every transfer goes unanswered.
        while (result.Bookmark?.Kind == BookmarkKinds.DialResult)
        {
            result = await runner.ResumeAsync(plan, instance, new DialResult(DialStatus.NoAnswer));
        }

        return result;
    }

    private static async Task<(FlowDefinition? Definition, int Code)> LoadAsync(string? file, TextWriter stdout, TextWriter stderr)
    {
        if (file is null || !File.Exists(file))
        {
            await stderr.WriteLineAsync(file is null ? "Datei fehlt." : $"Datei '{file}' nicht gefunden.");
            return (null, 2);
        }

        try
        {
            return (FlowJson.Parse(await File.ReadAllTextAsync(file)), 0);
        }
        catch (JsonException ex)
        {
            await stdout.WriteLineAsync(JsonSerializer.Serialize(new
            {
                valid = false,
                errors = new[] { new ValidationError(null, "invalid_json", $"Kein gültiges JSON: {ex.Message}") },
            }, Json));
            return (null, 1);
        }
    }

    private sealed class ConsoleChannel(TextWriter output) : ICallChannel
    {
        public async ValueTask SayAsync(string text, SayOptions options, CancellationToken cancellationToken) =>
            await output.WriteLineAsync($"Agent: {text}");

        public async ValueTask TransferAsync(string target, CancellationToken cancellationToken) =>
            await output.WriteLineAsync($"[Weiterleitung an {target} – im Simulator nimmt niemand ab]");

        public ValueTask HangupAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    private sealed class NoTransferTargets : ITransferTargets
    {
        public ValueTask<bool> IsAllowedAsync(string target, CancellationToken cancellationToken) => ValueTask.FromResult(false);

        public ValueTask<string?> ReachableHandoffTargetAsync(CancellationToken cancellationToken) => ValueTask.FromResult<string?>(null);
    }
}
