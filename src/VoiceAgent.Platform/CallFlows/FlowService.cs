using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using VoiceAgent.Flows.Definitions;
using VoiceAgent.Flows.Descriptors;
using VoiceAgent.Flows.Validation;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Resources;
using VoiceAgent.Platform.Tenancy;

namespace VoiceAgent.Platform.CallFlows;

/// <summary>
/// A tenant's flows and their versions: Draft → Staged → Live → Retired. Publishing retires the previous live version
/// in the same transaction (the flow row is locked; a partial unique index backs it up), so there is always exactly
/// one live version; rollback re-promotes a retired one. Publishes and rollbacks are audited.
/// </summary>
public sealed class FlowService(VoiceAgentDb db, ActivityRegistry registry, TimeProvider time)
{
    public sealed record SavedVersion(FlowVersion Version, IReadOnlyList<ValidationError> Errors);

    public async Task<Outcome<Flow>> CreateAsync(Guid tenantId, string? name, string? definitionJson, Actor actor, CancellationToken ct = default)
    {
        name = name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 200)
        {
            return Outcome<Flow>.Invalid("name", Texts.Get(string.IsNullOrEmpty(name) ? "Validation.Required" : "Validation.MaxLength"));
        }

        FlowDefinition definition;
        try
        {
            definition = definitionJson is null ? NewFlow(name) : FlowJson.Parse(definitionJson);
        }
        catch (JsonException)
        {
            return Outcome<Flow>.Invalid("definition", Texts.Get("Flows.InvalidJson"));
        }

        definition.Name = name;
        if (await db.Flows.AnyAsync(f => f.TenantId == tenantId && f.Name == name, ct))
        {
            return Outcome<Flow>.Invalid("name", Texts.Get("Flows.NameTaken"));
        }

        var now = time.GetUtcNow();
        var flow = new Flow { Id = Guid.CreateVersion7(now), TenantId = tenantId, Name = name, CreatedAt = now, UpdatedAt = now };
        db.Flows.Add(flow);
        db.FlowVersions.Add(NewVersion(flow, 1, FlowVersionStatus.Draft, definition, actor));
        db.Record(time, actor, AuditActions.FlowCreated, tenantId, name);
        await db.SaveChangesAsync(ct);
        return Outcome<Flow>.Ok(flow);
    }

    /// <summary>Saves the working copy. Drafts may be invalid; the errors come back for the designer to show.</summary>
    public async Task<Outcome<SavedVersion>> SaveDraftAsync(Guid flowId, string definitionJson, Actor actor, CancellationToken ct = default)
    {
        FlowDefinition definition;
        try
        {
            definition = FlowJson.Parse(definitionJson);
        }
        catch (JsonException)
        {
            return Outcome<SavedVersion>.Invalid("definition", Texts.Get("Flows.InvalidJson"));
        }

        var flow = await LockFlowAsync(flowId, ct);
        if (flow is null)
        {
            return Outcome<SavedVersion>.NotFound();
        }

        definition.Name = flow.Name;
        var draft = await db.FlowVersions.SingleOrDefaultAsync(v => v.FlowId == flowId && v.Status == FlowVersionStatus.Draft, ct);
        if (draft is null)
        {
            var next = await db.FlowVersions.Where(v => v.FlowId == flowId).MaxAsync(v => (int?)v.Version, ct) ?? 0;
            draft = NewVersion(flow, next + 1, FlowVersionStatus.Draft, definition, actor);
            db.FlowVersions.Add(draft);
        }
        else
        {
            draft.Definition = FlowJson.Write(definition);
            draft.UpdatedAt = time.GetUtcNow();
        }

        flow.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return Outcome<SavedVersion>.Ok(new SavedVersion(draft, FlowValidator.Validate(definition, registry)));
    }

    public Task<Outcome<FlowVersion>> StageAsync(Guid flowId, int version, Actor actor, CancellationToken ct = default) =>
        TransitionAsync(flowId, version, actor, FlowVersionStatus.Staged, [FlowVersionStatus.Draft], AuditActions.FlowStaged, ct);

    public Task<Outcome<FlowVersion>> PublishAsync(Guid flowId, int version, Actor actor, CancellationToken ct = default) =>
        TransitionAsync(flowId, version, actor, FlowVersionStatus.Live, [FlowVersionStatus.Draft, FlowVersionStatus.Staged], AuditActions.FlowPublished, ct);

    public Task<Outcome<FlowVersion>> RollbackAsync(Guid flowId, int version, Actor actor, CancellationToken ct = default) =>
        TransitionAsync(flowId, version, actor, FlowVersionStatus.Live, [FlowVersionStatus.Retired], AuditActions.FlowRolledBack, ct);

    private async Task<Outcome<FlowVersion>> TransitionAsync(Guid flowId, int version, Actor actor, FlowVersionStatus target,
        FlowVersionStatus[] from, string action, CancellationToken ct)
    {
        var flow = await LockFlowAsync(flowId, ct);
        if (flow is null)
        {
            return Outcome<FlowVersion>.NotFound();
        }

        var selected = await db.FlowVersions.SingleOrDefaultAsync(v => v.FlowId == flowId && v.Version == version, ct);
        if (selected is null)
        {
            return Outcome<FlowVersion>.NotFound();
        }

        if (!from.Contains(selected.Status))
        {
            return Outcome<FlowVersion>.Conflict(Texts.Format("Flows.TransitionNotAllowed", version, Texts.Get("FlowStatus." + selected.Status)));
        }

        if (target == FlowVersionStatus.Live)
        {
            var errors = FlowValidator.Validate(FlowJson.Parse(selected.Definition), registry);
            if (errors.Count > 0)
            {
                return Outcome<FlowVersion>.Invalid(new Dictionary<string, string[]>
                {
                    ["definition"] = errors.Select(e => e.NodeId is null ? e.Message : $"{e.NodeId}: {e.Message}").ToArray(),
                });
            }

            var live = await db.FlowVersions.Where(v => v.FlowId == flowId && v.Status == FlowVersionStatus.Live).ToListAsync(ct);
            foreach (var old in live)
            {
                old.Status = FlowVersionStatus.Retired;
                old.UpdatedAt = time.GetUtcNow();
            }

            // Retire first: the partial unique index allows one live row at any moment.
            await db.SaveChangesAsync(ct);
            selected.PublishedAt = time.GetUtcNow();
            selected.PublishedBy = actor.Email;
        }

        selected.Status = target;
        selected.UpdatedAt = time.GetUtcNow();
        flow.UpdatedAt = time.GetUtcNow();
        db.Record(time, actor, action, flow.TenantId, $"{flow.Name} v{version}");
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return Outcome<FlowVersion>.Conflict(Texts.Get("Flows.ConcurrentPublish"));
        }

        return Outcome<FlowVersion>.Ok(selected);
    }

    /// <summary>Locks the flow row for this transaction, so publishes and draft saves of one flow run one at a time.</summary>
    private Task<Flow?> LockFlowAsync(Guid flowId, CancellationToken ct) =>
        db.Flows.FromSqlInterpolated($"SELECT * FROM flows WHERE id = {flowId} FOR UPDATE").SingleOrDefaultAsync(ct);

    private FlowVersion NewVersion(Flow flow, int number, FlowVersionStatus status, FlowDefinition definition, Actor actor) => new()
    {
        Id = Guid.CreateVersion7(time.GetUtcNow()),
        TenantId = flow.TenantId,
        FlowId = flow.Id,
        Version = number,
        Status = status,
        Definition = FlowJson.Write(definition),
        CreatedAt = time.GetUtcNow(),
        UpdatedAt = time.GetUtcNow(),
        CreatedBy = actor.Email,
    };

    private static FlowDefinition NewFlow(string name) => new()
    {
        Name = name,
        Nodes =
        [
            new FlowNode { Id = "start", Type = "Start", Position = new NodePosition(0, 0) },
            new FlowNode
            {
                Id = "goodbye", Type = "Hangup", Position = new NodePosition(0, 120),
                Inputs = { ["goodbye"] = "Guten Tag, Sie sprechen mit einem KI-Assistenten. Leider ist dieser Ablauf noch nicht eingerichtet. Auf Wiederhören." },
            },
        ],
        Connections = [new FlowConnection("start", "Done", "goodbye")],
    };
}
