using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using VoiceAgent.CallFlows.Prompts;
using VoiceAgent.Activities.Ports;
using VoiceAgent.Flows.Definitions;
using VoiceAgent.Flows.Descriptors;
using VoiceAgent.Flows.Runtime;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Ports;

namespace VoiceAgent.CallFlows;

/// <summary>
/// Runs one turn of a stored session (simulator or phone call): compiles (cached) the session's flow version, starts
/// or resumes the run with the tenant's ports, records incidents and stores the new state in the same unit of work.
/// Every run starts with the AI disclosure (EU AI Act Art. 50), before the flow says anything: it is not a node, so no
/// edit of a flow can remove it.
/// </summary>
public sealed class FlowSessionRunner(VoiceAgentDb db, FlowPlanCache plans, FlowPortsFactory ports, TimeProvider time) : IFlowTurns
{
    public async Task<FlowTurn> RunAsync(FlowSession session, FlowPlan plan, FlowInstance instance, Stimulus? stimulus, ICallChannel channel,
        IMessageBox messages, DialStatus? answerDial, CancellationToken ct)
    {
        var services = await ports.CreateAsync(session.TenantId, channel, messages, ct);
        var runner = new FlowRunner(services, time);
        var incidentsBefore = instance.Incidents.Count;
        if (stimulus is null)
        {
            await DiscloseAsync(session, instance, channel, ct);
        }

        var result = stimulus is null ? await runner.StartAsync(plan, instance, ct) : await runner.ResumeAsync(plan, instance, stimulus, ct);
        var visited = new List<string>(result.Visited);
        for (var i = 0; answerDial is { } dial && i < 5 && result.Bookmark?.Kind == BookmarkKinds.DialResult; i++)
        {
            result = await runner.ResumeAsync(plan, instance, new DialResult(dial), ct);
            visited.AddRange(result.Visited);
        }

        foreach (var incident in instance.Incidents.Skip(incidentsBefore))
        {
            db.FlowIncidents.Add(new FlowIncident
            {
                TenantId = session.TenantId,
                FlowId = session.FlowId,
                SessionId = session.Id,
                NodeId = incident.NodeId,
                Kind = incident.Kind,
                Message = incident.Message.Length > 2000 ? incident.Message[..2000] : incident.Message,
                At = incident.At,
            });
        }

        session.State = instance.ToJson();
        session.Status = instance.Status.ToString().ToLowerInvariant();
        session.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return new FlowTurn(result, visited, instance);
    }

    public FlowPlan? Compile(FlowVersion version) => plans.Get(version);

    private async Task DiscloseAsync(FlowSession session, FlowInstance instance, ICallChannel channel, CancellationToken ct)
    {
        // Both starts (phone call, simulator) put the company name into the variables; read it only when a start did not.
        var name = (instance.Variables["tenant"] as JsonObject)?["name"] is JsonValue value && value.TryGetValue<string>(out var named)
                   && !string.IsNullOrWhiteSpace(named)
            ? named
            : await db.Tenants.Where(t => t.Id == session.TenantId).Select(t => t.CompanyName).SingleAsync(ct);
        var disclosure = TenantPrompts.Disclosure("de", name);
        instance.Transcript.Add(new TranscriptEntry(TranscriptRole.Agent, disclosure, null, time.GetUtcNow()));
        await channel.SayAsync(disclosure, new SayOptions(Interruptible: false), ct);
    }
}

/// <summary>Compiled plans per flow version (a draft's key changes with every save), bounded in size.</summary>
public sealed class FlowPlanCache(ActivityRegistry registry)
{
    private const int MaxEntries = 256;
    private readonly ConcurrentDictionary<(Guid, DateTimeOffset), FlowPlan?> plans = new();

    /// <returns>Null when the version does not validate.</returns>
    public FlowPlan? Get(FlowVersion version)
    {
        if (plans.Count > MaxEntries)
        {
            plans.Clear();
        }

        return plans.GetOrAdd((version.Id, version.UpdatedAt), _ =>
        {
            try
            {
                return FlowPlan.Compile(FlowJson.Parse(version.Definition), registry);
            }
            catch (FlowValidationException)
            {
                return null;
            }
        });
    }
}
