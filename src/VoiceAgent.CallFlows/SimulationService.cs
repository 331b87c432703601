using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using VoiceAgent.Flows.Definitions;
using VoiceAgent.Flows.Descriptors;
using VoiceAgent.Flows.Runtime;
using VoiceAgent.Flows.Validation;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Resources;
using VoiceAgent.Platform.Tenancy;

using VoiceAgent.Platform.Ports;

namespace VoiceAgent.CallFlows;

/// <summary>
/// The text simulator: runs a flow version with the real runtime (sandbox calendar, NLU) over a text channel.
/// A session is stored after every turn, so any app node can take the next one. Transfers are answered with the
/// dial result the caller of the API chooses (default: no answer).
/// </summary>
public sealed class SimulationService(VoiceAgentDb db, ActivityRegistry registry, FlowSessionRunner sessions, TimeProvider time)
{
    public sealed record TurnResult(Guid SessionId, int Version, string Status, IReadOnlyList<string> Lines, IReadOnlyList<string> Visited,
        string? CurrentNodeId, string? WaitingFor, JsonObject Variables, IReadOnlyList<Incident> Incidents, IReadOnlyList<string> Transfers);

    public async Task<Outcome<TurnResult>> StartAsync(Guid tenantId, Guid flowId, int? version, string? callerNumber, CancellationToken ct = default)
    {
        var versions = db.FlowVersions.Where(v => v.FlowId == flowId && v.TenantId == tenantId);
        var selected = version is { } n
            ? await versions.SingleOrDefaultAsync(v => v.Version == n, ct)
            : await versions.OrderBy(v => v.Status == FlowVersionStatus.Draft ? 0 : v.Status == FlowVersionStatus.Live ? 1 : 2)
                .ThenByDescending(v => v.Version).FirstOrDefaultAsync(ct);
        if (selected is null)
        {
            return Outcome<TurnResult>.NotFound();
        }

        if (Compile(selected) is not { } plan)
        {
            return Invalid(selected);
        }

        var tenant = await db.Tenants.AsNoTracking().SingleAsync(t => t.Id == tenantId, ct);
        var sessionId = Guid.CreateVersion7(time.GetUtcNow());
        var instance = FlowRunner.NewInstance(plan, new JsonObject
        {
            ["caller"] = new JsonObject { ["number"] = string.IsNullOrWhiteSpace(callerNumber) ? "+4915100000000" : callerNumber.Trim() },
            ["tenant"] = new JsonObject { ["name"] = tenant.CompanyName },
            ["call"] = new JsonObject { ["id"] = sessionId.ToString(), ["simulated"] = true },
        });
        instance.Id = sessionId.ToString("n");
        var session = new FlowSession
        {
            Id = sessionId,
            TenantId = tenantId,
            FlowId = flowId,
            VersionId = selected.Id,
            Kind = "simulation",
            Status = "running",
            CallerNumber = instance.Variables["caller"]!["number"]!.GetValue<string>(),
            State = "{}",
            CreatedAt = time.GetUtcNow(),
        };
        db.FlowSessions.Add(session);
        return Outcome<TurnResult>.Ok(await RunAsync(session, selected.Version, plan, instance, null, DialStatus.NoAnswer, ct));
    }

    public async Task<Outcome<TurnResult>> TurnAsync(Guid tenantId, Guid flowId, Guid sessionId, string? text, string? dial, CancellationToken ct = default)
    {
        var session = await db.FlowSessions
            .FromSqlInterpolated($"SELECT *, xmin FROM flow_sessions WHERE id = {sessionId} FOR UPDATE")
            .SingleOrDefaultAsync(s => s.FlowId == flowId && s.TenantId == tenantId && s.Kind == "simulation", ct);
        if (session is null)
        {
            return Outcome<TurnResult>.NotFound();
        }

        if (text is { Length: > 2000 })
        {
            return Outcome<TurnResult>.Invalid("text", Texts.Format("Validation.MaxLength", 2000));
        }

        var dialStatus = DialStatus.NoAnswer;
        if (dial is not null && !Enum.TryParse(dial.Replace("_", ""), ignoreCase: true, out dialStatus))
        {
            return Outcome<TurnResult>.Invalid("dial", Texts.Get("Simulation.InvalidDial"));
        }

        var instance = FlowInstance.FromJson(session.State);
        if (instance.Status != FlowStatus.Suspended || instance.Bookmark?.Kind != BookmarkKinds.CallerInput)
        {
            return Outcome<TurnResult>.Conflict(Texts.Get("Simulation.Ended"));
        }

        var version = await db.FlowVersions.AsNoTracking().SingleAsync(v => v.Id == session.VersionId, ct);
        if (Compile(version) is not { } plan)
        {
            return Invalid(version);
        }

        Stimulus stimulus = string.IsNullOrWhiteSpace(text) ? new NoCallerInput() : new CallerInput(text.Trim());
        return Outcome<TurnResult>.Ok(await RunAsync(session, version.Version, plan, instance, stimulus, dialStatus, ct));
    }

    /// <summary>
    /// The session as it waits for the caller, without taking a turn (no lines, nothing visited): lets a caller check a
    /// session before costly work (transcribing speech) and report its state when no turn was taken.
    /// </summary>
    /// <returns>Not found (unknown, another flow or tenant), a conflict when the conversation has ended, else the state.</returns>
    public async Task<Outcome<TurnResult>> PeekAsync(Guid tenantId, Guid flowId, Guid sessionId, CancellationToken ct = default)
    {
        var session = await db.FlowSessions.AsNoTracking()
            .SingleOrDefaultAsync(s => s.Id == sessionId && s.FlowId == flowId && s.TenantId == tenantId && s.Kind == "simulation", ct);
        if (session is null)
        {
            return Outcome<TurnResult>.NotFound();
        }

        var instance = FlowInstance.FromJson(session.State);
        if (instance.Status != FlowStatus.Suspended || instance.Bookmark?.Kind != BookmarkKinds.CallerInput)
        {
            return Outcome<TurnResult>.Conflict(Texts.Get("Simulation.Ended"));
        }

        var version = await db.FlowVersions.AsNoTracking().Where(v => v.Id == session.VersionId).Select(v => v.Version).SingleAsync(ct);
        return Outcome<TurnResult>.Ok(new TurnResult(session.Id, version, session.Status, [], [], instance.CurrentNodeId, instance.Bookmark?.Kind,
            instance.Variables, instance.Incidents, []));
    }

    private async Task<TurnResult> RunAsync(FlowSession session, int version, FlowPlan plan, FlowInstance instance, Stimulus? stimulus,
        DialStatus dialStatus, CancellationToken ct)
    {
        var channel = new TextChannel();
        var turn = await sessions.RunAsync(session, plan, instance, stimulus, channel, new RecordingMessageBox(), dialStatus, ct);
        return new TurnResult(session.Id, version, session.Status, channel.Lines, turn.Visited, instance.CurrentNodeId, instance.Bookmark?.Kind,
            instance.Variables, instance.Incidents, channel.Transfers);
    }

    private FlowPlan? Compile(FlowVersion version) => sessions.Compile(version);

    private Outcome<TurnResult> Invalid(FlowVersion version)
    {
        var errors = FlowValidator.Validate(FlowJson.Parse(version.Definition), registry);
        return Outcome<TurnResult>.Invalid(new Dictionary<string, string[]>
        {
            ["definition"] = errors.Select(e => e.NodeId is null ? e.Message : $"{e.NodeId}: {e.Message}").ToArray(),
        });
    }
}
