using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using VoiceAgent.Flows.Definitions;
using VoiceAgent.Flows.Descriptors;
using VoiceAgent.Flows.Validation;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Numbers;
using VoiceAgent.Platform.Resources;
using VoiceAgent.Platform.Tenancy;

namespace VoiceAgent.CallFlows;

/// <summary>
/// A tenant's flows and their versions: Draft → Staged → Live → Retired. Publishing retires the previous live version
/// in the same transaction (the flow row is locked; a partial unique index backs it up), so there is always exactly
/// one live version; rollback re-promotes a retired one. Only the draft is ever edited; its revision makes two editors of
/// one draft notice each other. Publishes, rollbacks, imports, renames, copies and deletions are audited.
/// </summary>
public sealed class FlowService(VoiceAgentDb db, ActivityRegistry registry, TimeProvider time)
{
    public sealed record SavedVersion(FlowVersion Version, IReadOnlyList<ValidationError> Errors);

    public const int MaxNameLength = 200;

    // Import refuses these outright; every other validation error is stored with the draft for the designer to show.
    private static readonly HashSet<string> StructuralCodes =
        [ValidationCodes.UnknownType, ValidationCodes.DuplicateNode, ValidationCodes.MissingId, ValidationCodes.UnknownNode];

    public async Task<Outcome<Flow>> CreateAsync(Guid tenantId, string? name, string? definitionJson, Actor actor, CancellationToken ct = default)
    {
        name = name?.Trim();
        if (NameError(name) is { } error)
        {
            return Outcome<Flow>.Invalid("name", error);
        }

        FlowDefinition definition;
        try
        {
            definition = definitionJson is null ? NewFlow(name!) : FlowJson.Parse(definitionJson);
        }
        catch (JsonException)
        {
            return Outcome<Flow>.Invalid("definition", Texts.Get("Flows.InvalidJson"));
        }

        if (await db.Flows.AnyAsync(f => f.TenantId == tenantId && f.Name == name, ct))
        {
            return Outcome<Flow>.Invalid("name", Texts.Get("Flows.NameTaken"));
        }

        var flow = AddFlow(tenantId, name!, definition, actor);
        db.Record(time, actor, AuditActions.FlowCreated, tenantId, name);
        await db.SaveChangesAsync(ct);
        return Outcome<Flow>.Ok(flow);
    }

    /// <summary>Saves the working copy without a concurrency check (CLI, scripts and API clients that send no revision).</summary>
    public Task<Outcome<SavedVersion>> SaveDraftAsync(Guid flowId, string definitionJson, Actor actor, CancellationToken ct = default) =>
        SaveDraftAsync(flowId, definitionJson, DraftBase.Unchecked, actor, ct);

    /// <summary>
    /// Saves the working copy. Drafts may be invalid; the errors come back for the designer to show. When a draft exists
    /// and <paramref name="basedOn"/> names another revision (or none), the save is refused as a conflict that carries the
    /// current draft, and nothing is stored.
    /// </summary>
    public async Task<Outcome<SavedVersion>> SaveDraftAsync(Guid flowId, string definitionJson, DraftBase basedOn, Actor actor,
        CancellationToken ct = default)
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
        return flow is null ? Outcome<SavedVersion>.NotFound() : await StoreDraftAsync(flow, definition, basedOn, actor, AuditActions.FlowDraftSaved, ct);
    }

    /// <summary>
    /// Makes an exported definition the flow's draft. Text that is no flow definition, unknown activity types, duplicate
    /// or missing node ids and connections to missing nodes are refused (nothing is stored); other validation errors are
    /// kept with the draft like any save. An existing draft is only replaced when <paramref name="revision"/> is its
    /// revision; staged, live and retired versions are never touched.
    /// </summary>
    public async Task<Outcome<SavedVersion>> ImportAsync(Guid flowId, string json, int? revision, Actor actor, CancellationToken ct = default)
    {
        var flow = await LockFlowAsync(flowId, ct);
        if (flow is null)
        {
            return Outcome<SavedVersion>.NotFound();
        }

        var (definition, errors) = ReadImport(json);
        return definition is null
            ? Outcome<SavedVersion>.Invalid(new Dictionary<string, string[]> { ["definition"] = errors.ToArray() })
            : await StoreDraftAsync(flow, definition, DraftBase.From(revision), actor, AuditActions.FlowImported, ct);
    }

    public async Task<Outcome<Flow>> RenameAsync(Guid flowId, string? name, Actor actor, CancellationToken ct = default)
    {
        name = name?.Trim();
        if (NameError(name) is { } error)
        {
            return Outcome<Flow>.Invalid("name", error);
        }

        var flow = await LockFlowAsync(flowId, ct);
        if (flow is null)
        {
            return Outcome<Flow>.NotFound();
        }

        if (flow.Name == name)
        {
            return Outcome<Flow>.Ok(flow);
        }

        if (await db.Flows.AnyAsync(f => f.TenantId == flow.TenantId && f.Name == name && f.Id != flowId, ct))
        {
            return Outcome<Flow>.Invalid("name", Texts.Get("Flows.NameTaken"));
        }

        db.Record(time, actor, AuditActions.FlowRenamed, flow.TenantId, $"{flow.Name} → {name}");
        flow.Name = name!;
        flow.UpdatedAt = time.GetUtcNow();
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return Outcome<Flow>.Invalid("name", Texts.Get("Flows.NameTaken"));
        }

        return Outcome<Flow>.Ok(flow);
    }

    /// <summary>
    /// Copies a flow as a new flow whose version 1 is a draft: the source's draft, else its live version, else its newest.
    /// Without a name the copy is called "{name} (Kopie)", numbered when that is taken.
    /// </summary>
    public async Task<Outcome<Flow>> DuplicateAsync(Guid flowId, string? name, Actor actor, CancellationToken ct = default)
    {
        var source = await db.Flows.AsNoTracking().SingleOrDefaultAsync(f => f.Id == flowId, ct);
        if (source is null)
        {
            return Outcome<Flow>.NotFound();
        }

        name = name?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            name = await CopyNameAsync(source, ct);
        }
        else if (NameError(name) is { } error)
        {
            return Outcome<Flow>.Invalid("name", error);
        }
        else if (await db.Flows.AnyAsync(f => f.TenantId == source.TenantId && f.Name == name, ct))
        {
            return Outcome<Flow>.Invalid("name", Texts.Get("Flows.NameTaken"));
        }

        var versions = await db.FlowVersions.AsNoTracking().Where(v => v.FlowId == flowId)
            .Select(v => new { v.Version, v.Status, v.Definition }).ToListAsync(ct);
        var copied = versions.FirstOrDefault(v => v.Status == FlowVersionStatus.Draft)
                     ?? versions.FirstOrDefault(v => v.Status == FlowVersionStatus.Live)
                     ?? versions.MaxBy(v => v.Version);
        var definition = copied is null ? NewFlow(name) : FlowJson.Parse(copied.Definition);

        var flow = AddFlow(source.TenantId, name, definition, actor);
        db.Record(time, actor, AuditActions.FlowDuplicated, source.TenantId, copied is null ? name : $"{source.Name} v{copied.Version} → {name}");
        await db.SaveChangesAsync(ct);
        return Outcome<Flow>.Ok(flow);
    }

    /// <summary>
    /// Deletes a flow with its versions and sessions. Refused while an active number binding points at it (the conflict
    /// names the numbers). History stays: released bindings and past calls keep their rows and lose only the link to the
    /// flow (ON DELETE SET NULL).
    /// </summary>
    public async Task<Outcome<Flow>> DeleteAsync(Guid flowId, Actor actor, CancellationToken ct = default)
    {
        var flow = await LockFlowAsync(flowId, ct);
        if (flow is null)
        {
            return Outcome<Flow>.NotFound();
        }

        var bound = await db.PhoneNumbers.Where(n => n.FlowId == flowId && n.ReleasedAt == null)
            .OrderBy(n => n.Number).Select(n => n.Number).ToListAsync(ct);
        if (bound.Count > 0)
        {
            return Outcome<Flow>.Conflict(Texts.Format("Flows.DeleteBlockedByNumbers", flow.Name,
                string.Join(", ", bound.Select(PhoneNumbers.Display))));
        }

        db.Flows.Remove(flow);
        db.Record(time, actor, AuditActions.FlowDeleted, flow.TenantId, flow.Name);
        await db.SaveChangesAsync(ct);
        return Outcome<Flow>.Ok(flow);
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

    /// <summary>
    /// The designer saves the draft after every edit: one audit entry stands for a person's editing session on a flow's
    /// draft (the same actor within <see cref="DraftAuditWindow"/> of the last save), updated with the latest revision, so
    /// the log says who changed what and when without an entry per keystroke.
    /// </summary>
    private async Task RecordDraftSavedAsync(Flow flow, FlowVersion draft, Actor actor, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var details = $"{flow.Name} v{draft.Version} r{draft.Revision}";
        var prefix = $"{flow.Name} v{draft.Version} r";
        var last = await db.AuditEntries.Where(a => a.TenantId == flow.TenantId && a.Action == AuditActions.FlowDraftSaved)
            .OrderByDescending(a => a.Id).FirstOrDefaultAsync(ct);
        if (last is not null && last.ActorId == actor.Id && last.ActorEmail == actor.Email && last.At > now - DraftAuditWindow
            && last.Details is { } previous && previous.StartsWith(prefix, StringComparison.Ordinal))
        {
            last.Details = details;
            last.At = now;
            return;
        }

        db.Record(time, actor, AuditActions.FlowDraftSaved, flow.TenantId, details);
    }

    public static readonly TimeSpan DraftAuditWindow = TimeSpan.FromMinutes(15);

    private async Task<Outcome<SavedVersion>> StoreDraftAsync(Flow flow, FlowDefinition definition, DraftBase basedOn, Actor actor,
        string? auditAction, CancellationToken ct)
    {
        definition.Name = flow.Name;
        var draft = await db.FlowVersions.SingleOrDefaultAsync(v => v.FlowId == flow.Id && v.Status == FlowVersionStatus.Draft, ct);
        if (draft is not null && basedOn.Checked && basedOn.Revision != draft.Revision)
        {
            var by = draft.UpdatedBy ?? draft.CreatedBy ?? Texts.Get("Flows.SomeoneElse");
            return Outcome<SavedVersion>.Conflict(Texts.Format("Flows.DraftConflict", by), new SavedVersion(draft, []));
        }

        if (draft is null)
        {
            var next = await db.FlowVersions.Where(v => v.FlowId == flow.Id).MaxAsync(v => (int?)v.Version, ct) ?? 0;
            draft = NewVersion(flow, next + 1, FlowVersionStatus.Draft, definition, actor);
            db.FlowVersions.Add(draft);
        }
        else
        {
            draft.Definition = FlowJson.Write(definition);
            draft.Revision++;
            draft.UpdatedAt = time.GetUtcNow();
            draft.UpdatedBy = actor.Email;
        }

        flow.UpdatedAt = time.GetUtcNow();
        if (auditAction == AuditActions.FlowDraftSaved)
        {
            await RecordDraftSavedAsync(flow, draft, actor, ct);
        }
        else if (auditAction is not null)
        {
            db.Record(time, actor, auditAction, flow.TenantId, $"{flow.Name} v{draft.Version}");
        }

        await db.SaveChangesAsync(ct);
        return Outcome<SavedVersion>.Ok(new SavedVersion(draft, FlowValidator.Validate(definition, registry)));
    }

    private (FlowDefinition? Definition, List<string> Errors) ReadImport(string json)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = FlowJson.Options.MaxDepth });
        }
        catch (JsonException)
        {
            return (null, [Texts.Get("Flows.InvalidJson")]);
        }

        if (root is not JsonObject obj || !obj.Any(p => p.Key.Equals("nodes", StringComparison.OrdinalIgnoreCase) && p.Value is JsonArray))
        {
            return (null, [Texts.Get("Flows.NotADefinition")]);
        }

        FlowDefinition definition;
        try
        {
            definition = FlowJson.Parse(json);
        }
        catch (JsonException)
        {
            return (null, [Texts.Get("Flows.NotADefinition")]);
        }

        definition.Connections ??= [];
        definition.Variables ??= [];
        if (definition.Nodes.Any(n => n is null) || definition.Connections.Any(c => c is null) || definition.Variables.Any(v => v is null))
        {
            return (null, [Texts.Get("Flows.EmptyEntries")]);
        }

        foreach (var node in definition.Nodes)
        {
            node.Inputs ??= [];
            node.Type ??= "";
        }

        var structural = FlowValidator.Validate(definition, registry).Where(e => StructuralCodes.Contains(e.Code))
            .Select(e => e.NodeId is null ? e.Message : $"{e.NodeId}: {e.Message}").ToList();
        return structural.Count > 0 ? (null, structural) : (definition, []);
    }

    private Flow AddFlow(Guid tenantId, string name, FlowDefinition definition, Actor actor)
    {
        var now = time.GetUtcNow();
        definition.Name = name;
        var flow = new Flow { Id = Guid.CreateVersion7(now), TenantId = tenantId, Name = name, CreatedAt = now, UpdatedAt = now };
        db.Flows.Add(flow);
        db.FlowVersions.Add(NewVersion(flow, 1, FlowVersionStatus.Draft, definition, actor));
        return flow;
    }

    private async Task<string> CopyNameAsync(Flow source, CancellationToken ct)
    {
        var taken = (await db.Flows.Where(f => f.TenantId == source.TenantId).Select(f => f.Name).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        for (var n = 1; ; n++)
        {
            var suffix = n == 1 ? Texts.Format("Flows.CopyName", "") : Texts.Format("Flows.CopyNameNumbered", "", n);
            var stem = source.Name.Length + suffix.Length > MaxNameLength ? source.Name[..(MaxNameLength - suffix.Length)].TrimEnd() : source.Name;
            var candidate = stem + suffix;
            if (!taken.Contains(candidate))
            {
                return candidate;
            }
        }
    }

    private static string? NameError(string? name) =>
        string.IsNullOrEmpty(name) ? Texts.Get("Validation.Required")
        : name.Length > MaxNameLength ? Texts.Format("Validation.MaxLength", MaxNameLength)
        : null;

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
        UpdatedBy = actor.Email,
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
