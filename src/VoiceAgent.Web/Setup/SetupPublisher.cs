using Microsoft.EntityFrameworkCore;
using VoiceAgent.CallFlows;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Resources;
using VoiceAgent.Platform.Tenancy;
using VoiceAgent.Telephony;

namespace VoiceAgent.Web.Setup;

/// <summary>
/// The wizard's last step (issue #15): copies the sample flow "Terminannahme" for the tenant, validates and publishes it
/// (its only live version) and binds the wizard's number to it. Safe to repeat: the copy made before is reused, a version
/// already live stays, a number already bound to the flow stays. Everything commits in the caller's unit of work.
/// </summary>
public sealed class SetupPublisher(VoiceAgentDb db, FlowService flows, NumberService numbers, SetupWizard wizard)
{
    public async Task<Outcome<SetupWizardState>> PublishAsync(Guid tenantId, Actor actor, CancellationToken ct)
    {
        var state = await wizard.GetAsync(tenantId, ct);
        if (SetupWizard.FirstOpen(state) != SetupStep.Publish || state.Number is null)
        {
            return Outcome<SetupWizardState>.Conflict(Texts.Get("Setup.Publish.StepsOpen"));
        }

        var flowId = state.FlowId is { } id && await db.Flows.AnyAsync(f => f.Id == id, ct) ? id : (Guid?)null;
        if (flowId is null)
        {
            var created = await CopySampleAsync(tenantId, actor, ct);
            if (created.Kind != OutcomeKind.Ok)
            {
                return Forward(created);
            }

            flowId = created.Value!.Id;
        }

        if (!await db.FlowVersions.AnyAsync(v => v.FlowId == flowId && v.Status == FlowVersionStatus.Live, ct))
        {
            var latest = await db.FlowVersions.Where(v => v.FlowId == flowId).MaxAsync(v => v.Version, ct);
            var published = await flows.PublishAsync(flowId.Value, latest, actor, ct);
            if (published.Kind != OutcomeKind.Ok)
            {
                return Forward(published);
            }
        }

        var bound = await db.PhoneNumbers.SingleOrDefaultAsync(n => n.Number == state.Number && n.ReleasedAt == null, ct);
        var provider = state.NumberAccount == SetupNumberAccounts.Sipgate ? Providers.Sipgate : Providers.Twilio;
        var binding = bound is null
            ? await numbers.ConnectAsync(tenantId, state.Number, null, provider, flowId.Value, actor, ct)
            : bound.FlowId == flowId ? Outcome<PhoneNumber>.Ok(bound)
            : await numbers.RepointAsync(tenantId, bound.Id, flowId.Value, actor, ct);
        if (binding.Kind != OutcomeKind.Ok)
        {
            return Forward(binding);
        }

        var number = state.Number;
        return Outcome<SetupWizardState>.Ok(await wizard.FinishAsync(tenantId, SetupStep.Publish, actor, $"flow {flowId}, number {number}", ct,
            s => s.FlowId = flowId));
    }

    /// <summary>The sample under its own name, or "Terminannahme 2", "… 3" when the tenant already has a flow of that name.</summary>
    private async Task<Outcome<Flow>> CopySampleAsync(Guid tenantId, Actor actor, CancellationToken ct)
    {
        var taken = (await db.Flows.Where(f => f.Name.StartsWith(SampleFlows.BookingName)).Select(f => f.Name).ToListAsync(ct)).ToHashSet();
        var name = SampleFlows.BookingName;
        for (var n = 2; taken.Contains(name); n++)
        {
            name = $"{SampleFlows.BookingName} {n}";
        }

        return await flows.CreateAsync(tenantId, name, SampleFlows.BookingJson, actor, ct);
    }

    private static Outcome<SetupWizardState> Forward<T>(Outcome<T> failed) =>
        new(failed.Kind, Errors: failed.Errors, Message: failed.Message ?? (failed.Errors is { Count: > 0 } errors ? string.Join(" ", errors.Values.SelectMany(e => e)) : null));
}
