using VoiceAgent.Platform;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using VoiceAgent.Activities.Ports;
using VoiceAgent.CallFlows.Prompts;
using VoiceAgent.Flows.Runtime;
using VoiceAgent.Platform.Ports;
using VoiceAgent.Platform.Data;

namespace VoiceAgent.CallFlows;

/// <summary>Composes the ports of one run for a tenant: connected (else sandbox) calendar, German NLU, allow-list, webhooks, model (with the tenant's system prompt).</summary>
public sealed class FlowPortsFactory(VoiceAgentDb db, TimeProvider time, IWebhookClient webhooks, ConversationModels models, ITenantCalendars calendars,
    TenantPrompts prompts)
{
    public async Task<FlowServices> CreateAsync(Guid tenantId, ICallChannel channel, IMessageBox messages, CancellationToken ct)
    {
        var zoneId = await db.CalendarSettings.Where(s => s.TenantId == tenantId).Select(s => s.TimeZone).SingleOrDefaultAsync(ct);
        var zone = BusinessTime.ZoneOrDefault(zoneId);
        return new FlowServices()
            .Add(channel)
            .Add(messages)
            .Add(await calendars.ForTenantAsync(tenantId, ct))
            .Add<ILanguageUnderstanding>(new NluUnderstanding(zone, time))
            .Add<ITransferTargets>(new TenantTransferTargets(db, tenantId, time))
            .Add(webhooks)
            .Add(await models.ForAsync(zone, c => prompts.RenderAsync(tenantId, c), ct));
    }
}
