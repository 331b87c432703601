using Microsoft.EntityFrameworkCore;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Data;

namespace VoiceAgent.Web.Setup;

/// <summary>The wizard's steps in the order a tenant goes through them.</summary>
public enum SetupStep
{
    Number = 1,
    Speech = 2,
    Prompt = 3,
    Calendar = 4,
    Publish = 5,
}

/// <summary>Audit actions of the setup wizard.</summary>
public static class SetupAuditActions
{
    public const string StepFinished = "setup.step_finished";
    public const string Skipped = "setup.skipped";
    public const string Resumed = "setup.resumed";
    public const string Completed = "setup.completed";
}

/// <summary>
/// Where a tenant's setup wizard stands (issue #15). The row is created when the tenant is approved; it remembers the open
/// step and when each step was finished, so the wizard resumes at the same step after a reload or a restart. Tenants
/// approved before the wizard existed have no row: they are not sent to the wizard but can open it from the dashboard.
/// A step can be opened when every step before it is finished; finishing a step moves on to the next unfinished one.
/// </summary>
public sealed class SetupWizard(VoiceAgentDb db, TimeProvider time)
{
    /// <summary>The tenant's wizard, or a fresh (unsaved) one when it has none.</summary>
    public async Task<SetupWizardState> GetAsync(Guid tenantId, CancellationToken ct) =>
        await db.SetupWizards.AsNoTracking().SingleOrDefaultAsync(w => w.TenantId == tenantId, ct)
        ?? new SetupWizardState { TenantId = tenantId, UpdatedAt = time.GetUtcNow() };

    /// <summary>True when the tenant's admins should land in the wizard: it exists and was neither finished nor skipped.</summary>
    public Task<bool> IsOpenAsync(Guid tenantId, CancellationToken ct) =>
        db.SetupWizards.AnyAsync(w => w.TenantId == tenantId && w.CompletedAt == null && w.SkippedAt == null, ct);

    /// <summary>The first step not finished yet (Publish when all others are).</summary>
    public static SetupStep FirstOpen(SetupWizardState state) =>
        state.NumberDoneAt is null ? SetupStep.Number
        : state.SpeechDoneAt is null ? SetupStep.Speech
        : state.PromptDoneAt is null ? SetupStep.Prompt
        : state.CalendarDoneAt is null ? SetupStep.Calendar
        : SetupStep.Publish;

    public static bool IsDone(SetupWizardState state, SetupStep step) => step switch
    {
        SetupStep.Number => state.NumberDoneAt is not null,
        SetupStep.Speech => state.SpeechDoneAt is not null,
        SetupStep.Prompt => state.PromptDoneAt is not null,
        SetupStep.Calendar => state.CalendarDoneAt is not null,
        _ => state.PublishedAt is not null && state.TestCallAt is not null,
    };

    /// <summary>Opens <paramref name="step"/> (remembered for the next visit); a step after the first unfinished one stays closed.</summary>
    public async Task<SetupWizardState> OpenAsync(Guid tenantId, SetupStep step, CancellationToken ct)
    {
        var state = await TrackedAsync(tenantId, ct);
        if ((int)step <= (int)FirstOpen(state) && state.Step != (short)step)
        {
            state.Step = (short)step;
            state.UpdatedAt = time.GetUtcNow();
            await db.SaveChangesAsync(ct);
        }

        return state;
    }

    /// <summary>
    /// Marks <paramref name="step"/> finished (with what <paramref name="record"/> notes on the row), audits it and opens the
    /// next unfinished step. Saved with whatever else the unit of work holds, so a step's result and its mark commit together.
    /// </summary>
    public async Task<SetupWizardState> FinishAsync(Guid tenantId, SetupStep step, Actor actor, string details, CancellationToken ct,
        Action<SetupWizardState>? record = null)
    {
        var state = await TrackedAsync(tenantId, ct);
        var now = time.GetUtcNow();
        record?.Invoke(state);
        switch (step)
        {
            case SetupStep.Number:
                state.NumberDoneAt = now;
                break;
            case SetupStep.Speech:
                state.SpeechDoneAt = now;
                break;
            case SetupStep.Prompt:
                state.PromptDoneAt = now;
                break;
            case SetupStep.Calendar:
                state.CalendarDoneAt = now;
                break;
            case SetupStep.Publish:
                state.PublishedAt ??= now;
                break;
        }

        state.Step = (short)(step == SetupStep.Publish ? SetupStep.Publish : FirstOpen(state));
        state.UpdatedAt = now;
        db.Record(time, actor, SetupAuditActions.StepFinished, tenantId, $"{step}: {details}");
        if (state.PublishedAt is not null && state.TestCallAt is not null && state.CompletedAt is null && FirstOpen(state) == SetupStep.Publish)
        {
            state.CompletedAt = now;
            db.Record(time, actor, SetupAuditActions.Completed, tenantId);
        }

        await db.SaveChangesAsync(ct);
        return state;
    }

    /// <summary>A test call after publishing went through: the wizard is complete.</summary>
    public Task<SetupWizardState> TestCallMadeAsync(Guid tenantId, Actor actor, string details, CancellationToken ct) =>
        FinishAsync(tenantId, SetupStep.Publish, actor, "test call " + details, ct, s => s.TestCallAt ??= time.GetUtcNow());

    /// <summary>Skips the wizard: the dashboard no longer sends the tenant here (it stays reachable from there).</summary>
    public async Task SkipAsync(Guid tenantId, Actor actor, CancellationToken ct)
    {
        var state = await TrackedAsync(tenantId, ct);
        if (state.SkippedAt is null && state.CompletedAt is null)
        {
            state.SkippedAt = state.UpdatedAt = time.GetUtcNow();
            db.Record(time, actor, SetupAuditActions.Skipped, tenantId, $"step {state.Step}");
            await db.SaveChangesAsync(ct);
        }
    }

    /// <summary>Takes a skipped wizard up again at its step.</summary>
    public async Task ResumeAsync(Guid tenantId, Actor actor, CancellationToken ct)
    {
        var state = await TrackedAsync(tenantId, ct);
        if (state.SkippedAt is not null)
        {
            state.SkippedAt = null;
            state.UpdatedAt = time.GetUtcNow();
            db.Record(time, actor, SetupAuditActions.Resumed, tenantId, $"step {state.Step}");
            await db.SaveChangesAsync(ct);
        }
    }

    private async Task<SetupWizardState> TrackedAsync(Guid tenantId, CancellationToken ct)
    {
        var state = await db.SetupWizards.SingleOrDefaultAsync(w => w.TenantId == tenantId, ct);
        if (state is null)
        {
            state = new SetupWizardState { TenantId = tenantId, UpdatedAt = time.GetUtcNow() };
            db.SetupWizards.Add(state);
        }

        return state;
    }
}
