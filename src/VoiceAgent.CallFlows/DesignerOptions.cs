using Microsoft.EntityFrameworkCore;
using VoiceAgent.Activities;
using VoiceAgent.Platform.Data;
using VoiceAgent.CallFlows.Nlu;
using VoiceAgent.Platform.Numbers;
using VoiceAgent.Platform.Resources;
using VoiceAgent.Platform.Ports;

namespace VoiceAgent.CallFlows;

public sealed record DesignerOption(string Value, string Label);

/// <summary>What the designer's pickers offer (voice, calendar, transfer target, intent list, variable completion).</summary>
/// <param name="SpeechToText">The test console may offer the microphone: a speech-to-text engine is configured (set by the web host).</param>
public sealed record DesignerOptionsResult(
    IReadOnlyList<DesignerOption> Voices,
    IReadOnlyList<DesignerOption> Calendars,
    IReadOnlyList<DesignerOption> TransferTargets,
    IReadOnlyList<DesignerOption> Intents,
    IReadOnlyList<string> Variables,
    bool SpeechToText = false);

/// <summary>
/// The choices behind the designer's pickers for the current tenant: the voices the speech engines can speak (espeak-ng
/// always — it is the offline engine — and OpenAI's once its key is stored), the calendars (the connected ones a calendar
/// was chosen for, else the sandbox), the tenant's transfer allow-list, the intents the German NLU recognizes and the run
/// variables the host and the activities provide (see src/VoiceAgent.Flows/README.md).
/// </summary>
public sealed class DesignerOptions(VoiceAgentDb db, ISpeechEngines speech, ITenantCalendars calendars)
{
    public static readonly IReadOnlyList<string> BuiltInVariables =
    [
        "tenant.name", "caller.number", "caller.name", "call.id",
        Variables.LastInput, Variables.Intent, Variables.Date, Variables.Time, Variables.PartOfDay, Variables.Answer, Variables.Digits,
        Variables.Reply,
        Variables.Slots, "slots.count", "slot.text", "slot.start", "slot.end", Variables.OfferedSlots,
        "event.text", "event.title", "event.start", "event.end", "event.id", "event.pending",
        Variables.Events, "nextEvent.text", "nextEvent.title", "nextEvent.start", "nextEvent.end",
        "http.status", "http.body", Variables.Message,
    ];

    public async Task<DesignerOptionsResult> GetAsync(Guid tenantId, CancellationToken ct = default)
    {
        var voices = (await speech.VoicesAsync(tenantId, ct)).Select(v => new DesignerOption(v.Value, v.Label)).ToList();

        var settings = await db.CallSettings.AsNoTracking().SingleOrDefaultAsync(s => s.TenantId == tenantId, ct);
        var targets = (settings?.TransferTargets ?? []).Select(t => new DesignerOption(t, PhoneNumbers.Display(t))).ToList();
        if (!string.IsNullOrEmpty(settings?.HandoffTarget) && targets.All(t => t.Value != settings.HandoffTarget))
        {
            targets.Add(new DesignerOption(settings.HandoffTarget, Texts.Format("TransferTarget.Handoff", PhoneNumbers.Display(settings.HandoffTarget))));
        }

        var intents = Enum.GetValues<Intent>().Where(i => i != Intent.Unknown).Select(IntentNames.ToName)
            .Select(name => new DesignerOption(name, Texts.Get("Intent." + name))).ToList();

        var calendarOptions = (await calendars.ChoicesAsync(tenantId, ct)).Select(c => new DesignerOption(c.Value, c.Label)).ToList();
        return new DesignerOptionsResult(voices, calendarOptions, targets, intents,
            BuiltInVariables);
    }
}
