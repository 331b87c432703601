using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using VoiceAgent.Flows.Definitions;
using VoiceAgent.Flows.Runtime;
using VoiceAgent.Platform.Data;

namespace VoiceAgent.CallFlows;

/// <summary>
/// Reads a stored run for call replay: the session's final state (its trace), the version that ran and, for a phone call, the
/// call. Used by the replay endpoints and directly by the portal's pages (through <c>PortalData</c>, in the user's scope).
/// Runs in the caller's tenant scope: another tenant's call or session is not found, as an unknown one.
/// </summary>
public sealed class ReplayQuery(VoiceAgentDb db)
{
    /// <returns>Null when the call is unknown, another tenant's, or has no flow session (it was refused before a flow ran).</returns>
    public async Task<FlowReplay?> ForCallAsync(Guid callId, CancellationToken ct = default)
    {
        var sessionId = await db.Calls.AsNoTracking().Where(c => c.Id == callId).Select(c => c.SessionId).SingleOrDefaultAsync(ct);
        return sessionId is { } id ? await LoadAsync(db.FlowSessions.Where(s => s.Id == id), callId, ct) : null;
    }

    /// <returns>Null when the session is unknown, another flow's or another tenant's.</returns>
    public async Task<FlowReplay?> ForSessionAsync(Guid flowId, Guid sessionId, CancellationToken ct = default)
    {
        var session = db.FlowSessions.Where(s => s.Id == sessionId && s.FlowId == flowId);
        var callId = await db.Calls.AsNoTracking().Where(c => c.SessionId == sessionId).Select(c => (Guid?)c.Id).FirstOrDefaultAsync(ct);
        return await LoadAsync(session, callId, ct);
    }

    private async Task<FlowReplay?> LoadAsync(IQueryable<FlowSession> sessions, Guid? callId, CancellationToken ct)
    {
        var row = await sessions.AsNoTracking()
            .Select(s => new
            {
                Session = s,
                Version = db.FlowVersions.Where(v => v.Id == s.VersionId).Select(v => new { v.Version, v.Status, v.Definition }).FirstOrDefault(),
                FlowName = db.Flows.Where(f => f.Id == s.FlowId).Select(f => f.Name).FirstOrDefault(),
            })
            .SingleOrDefaultAsync(ct);
        if (row is not { Version: { } version, FlowName: { } flowName })
        {
            return null;
        }

        var session = row.Session;
        var instance = FlowInstance.FromJson(session.State);
        var transcript = instance.Transcript.Select((t, i) => new ReplayLine(i, t.Role.Name, t.Text, t.NodeId, t.At)).ToList();
        var steps = instance.Trace is { } trace ? Steps(trace, transcript) : [];
        return new FlowReplay(session.Id, session.Kind, callId, session.FlowId, flowName, session.VersionId, version.Version,
            version.Status.ToString().ToLowerInvariant(), JsonNode.Parse(version.Definition), PathInDefinition(steps, version.Definition),
            instance.Status.ToString().ToLowerInvariant(), session.CreatedAt, session.UpdatedAt, instance.Trace is not null,
            instance.Trace?.Dropped ?? 0, (JsonObject?)instance.Trace?.Variables.DeepClone() ?? [], steps, transcript, instance.Incidents);
    }

    private static List<ReplayStep> Steps(FlowTrace trace, List<ReplayLine> transcript) =>
        trace.Replay().Select(r =>
        {
            var s = r.Step;
            var edge = s is { Outcome: { } outcome, Next: { } next } ? new ReplayEdge(s.NodeId, outcome, next) : null;
            var changed = (s.Set?.Select(p => p.Key) ?? []).Concat(s.Removed ?? []).ToList();
            var lines = (s.Lines ?? []).Where(i => i >= 0 && i < transcript.Count).Select(i => transcript[i]).ToList();
            return new ReplayStep(s.Sequence, s.Turn, s.NodeId, s.Type, s.At, s.Resumed, Copy(s.Inputs), s.Outcome,
                edge, s.Waits, s.Ends, changed, r.VariablesAfter, lines);
        }).ToList();

    private static JsonObject Copy(Dictionary<string, JsonNode?>? values)
    {
        var copy = new JsonObject();
        foreach (var (name, value) in values ?? [])
        {
            copy[name] = value?.DeepClone();
        }

        return copy;
    }

    // Every visited node (with the type it had) and every taken connection must still be in the definition to highlight them.
    private static bool PathInDefinition(List<ReplayStep> steps, string definitionJson)
    {
        FlowDefinition definition;
        try
        {
            definition = FlowJson.Parse(definitionJson);
        }
        catch (JsonException)
        {
            return false;
        }

        var nodes = definition.Nodes.GroupBy(n => n.Id).ToDictionary(g => g.Key, g => g.First().Type, StringComparer.Ordinal);
        var connections = definition.Connections.Select(c => (c.From, c.Outcome, c.To)).ToHashSet();
        return steps.All(s => nodes.TryGetValue(s.NodeId, out var type) && type == s.Type
            && (s.Edge is not { } e || connections.Contains((e.Source, e.Outcome, e.Target))));
    }
}
