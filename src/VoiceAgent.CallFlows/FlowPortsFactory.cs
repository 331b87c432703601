using VoiceAgent.Platform;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using VoiceAgent.Activities.Ports;
using VoiceAgent.CallFlows.Prompts;
using VoiceAgent.Flows.Runtime;
using VoiceAgent.Platform.Ports;
using VoiceAgent.Platform.Data;

namespace VoiceAgent.CallFlows;

/// <summary>Composes the ports of one run for a tenant: connected (else sandbox) calendar, German NLU (asking the model what it does not understand, when one is configured), allow-list, webhooks, model (with the tenant's system prompt).</summary>
public sealed class FlowPortsFactory(VoiceAgentDb db, TimeProvider time, IWebhookClient webhooks, ConversationModels models, ITenantCalendars calendars,
    TenantPrompts prompts)
{
    public async Task<FlowServices> CreateAsync(Guid tenantId, ICallChannel channel, IMessageBox messages, CancellationToken ct)
    {
        var zoneId = await db.CalendarSettings.Where(s => s.TenantId == tenantId).Select(s => s.TimeZone).SingleOrDefaultAsync(ct);
        var zone = BusinessTime.ZoneOrDefault(zoneId);
        var model = await models.ForAsync(zone, c => prompts.RenderAsync(tenantId, c), ct);
        var rules = new NluUnderstanding(zone, time);
        var calendar = await calendars.ForTenantAsync(tenantId, ct);
        if (channel is TextChannel { Live: { } live })
        {
            // A realtime call hears a filler while a slow calendar answers.
            calendar = new FillerCalendarGateway(calendar, live, time);
        }

        return new FlowServices()
            .Add(channel)
            .Add(messages)
            .Add(calendar)
            // With a language model configured, Listen asks it (with the tenant's prompt) what the rules did not understand.
            .Add<ILanguageUnderstanding>(model is RuleBasedConversationModel ? rules : new ModelAssistedUnderstanding(rules, model))
            .Add<ITransferTargets>(new TenantTransferTargets(db, tenantId, time))
            .Add(webhooks)
            .Add(model);
    }
}
