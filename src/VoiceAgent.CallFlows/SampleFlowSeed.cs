using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Ports;
using VoiceAgent.Platform.Tenancy;

namespace VoiceAgent.CallFlows;

/// <summary>The demo tenant's live "Terminannahme" flow, sandbox calendar (Mon–Fri 9–17) and a handoff number.</summary>
public sealed class SampleFlowSeed(VoiceAgentDb db, FlowService flows, TimeProvider time) : IDemoTenantSeed
{
    public int Order => 0;

    public Task SeedAsync(Guid tenantId, CancellationToken ct) => SeedSampleFlowAsync(tenantId, ct);

    public Task<Flow> SeedSampleFlowAsync(Guid tenantId, CancellationToken ct = default) =>
        db.InScopeAsync(s => s.UseTenant(tenantId), async () =>
        {
            var actor = new Actor(null, "dev-seed");
            var now = time.GetUtcNow();
            db.CalendarSettings.Add(new CalendarSettings { TenantId = tenantId, UpdatedAt = now });
            db.CallSettings.Add(new CallSettings { TenantId = tenantId, HandoffTarget = "+4930123456789", TransferTargets = ["+4930123456789"], UpdatedAt = now });
            await db.SaveChangesAsync(ct);
            var flow = await flows.CreateAsync(tenantId, SampleFlows.BookingName, SampleFlows.BookingJson, actor, ct);
            var published = await flows.PublishAsync(flow.Value!.Id, 1, actor, ct);
            if (published.Kind != OutcomeKind.Ok)
            {
                throw new InvalidOperationException("The sample flow does not validate: " + string.Join(" ", published.Errors?.SelectMany(e => e.Value) ?? []));
            }

            return flow.Value!;
        }, ct);
}
