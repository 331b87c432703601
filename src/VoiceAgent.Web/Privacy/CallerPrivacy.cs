using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using VoiceAgent.Flows.Runtime;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Numbers;
using VoiceAgent.Platform.Tenancy;
using VoiceAgent.Web.Resources;

namespace VoiceAgent.Web.Privacy;

public sealed record CallerCallExport(Guid Id, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, int? DurationSeconds, string ToNumber,
    string Mode, string Status, string? Outcome);

public sealed record CallerTranscriptLine(string Role, string Text, DateTimeOffset At);

public sealed record CallerTranscriptExport(Guid SessionId, Guid? CallId, DateTimeOffset StartedAt, IReadOnlyList<CallerTranscriptLine> Lines,
    JsonObject Variables);

public sealed record CallerBookingExport(Guid Id, string Calendar, DateTimeOffset StartAt, DateTimeOffset EndAt, string Title, string? Description,
    string? CallerName, string? CallerEmail, string Status, DateTimeOffset CreatedAt);

/// <summary>Everything stored about one caller number of one tenant (GDPR Art. 15 request).</summary>
public sealed record CallerExport(string Number, Guid TenantId, DateTimeOffset ExportedAt, IReadOnlyList<CallerCallExport> Calls,
    IReadOnlyList<CallerTranscriptExport> Transcripts, IReadOnlyList<CallerBookingExport> Bookings, IReadOnlyList<object> Voicemails,
    IReadOnlyList<object> Recordings, string Note);

/// <summary>What an erasure removed (counts only: the number itself is not kept).</summary>
public sealed record CallerErasure(string Pseudonym, int CallsDeleted, int CallsAnonymized, int Transcripts, int Bookings, int AuditEntriesPseudonymized);

/// <summary>
/// GDPR requests of one caller number within the signed-in tenant (Art. 15 export, Art. 17 erasure). The database is in the
/// tenant's scope (row-level security); every query also names the tenant. Both are audited with the number as a pseudonym.
/// Recordings and voicemails are not stored by the platform (messages are mailed to the business), so there is nothing to
/// export or erase for them here.
/// </summary>
public sealed class CallerPrivacy(VoiceAgentDb db, Pseudonyms pseudonyms, TimeProvider time)
{
    public const string ExportedAction = "privacy.caller_exported";
    public const string ErasedAction = "privacy.caller_erased";

    public async Task<Outcome<CallerExport>> ExportAsync(Guid tenantId, string? number, string? reason, Actor actor, CancellationToken ct)
    {
        var (e164, errors) = await ValidateAsync(tenantId, number, reason, ct);
        if (errors is not null)
        {
            return Outcome<CallerExport>.Invalid(errors);
        }

        var calls = await db.Calls.AsNoTracking().Where(c => c.TenantId == tenantId && c.FromNumber == e164).OrderBy(c => c.StartedAt)
            .ToListAsync(ct);
        var sessionIds = await SessionIdsAsync(tenantId, e164!, ct);
        var sessions = await db.FlowSessions.AsNoTracking().Where(s => s.TenantId == tenantId && sessionIds.Contains(s.Id))
            .OrderBy(s => s.CreatedAt).ToListAsync(ct);
        var transcripts = sessions.Select(s =>
        {
            var instance = FlowInstance.FromJson(s.State);
            return new CallerTranscriptExport(s.Id, calls.FirstOrDefault(c => c.SessionId == s.Id)?.Id, s.CreatedAt,
                instance.Transcript.Select(l => new CallerTranscriptLine(l.Role.Name, l.Text, l.At)).ToList(), instance.Variables);
        }).ToList();

        var bookings = (await db.SandboxEvents.AsNoTracking().Where(b => b.TenantId == tenantId && b.CallerNumber == e164).ToListAsync(ct))
            .Select(b => new CallerBookingExport(b.Id, "sandbox", b.StartAt, b.EndAt, b.Title, b.Description, b.CallerName, null, b.Status, b.CreatedAt))
            .Concat((await db.CalendarBookings.AsNoTracking().Where(b => b.TenantId == tenantId && b.CallerNumber == e164).ToListAsync(ct))
                .Select(b => new CallerBookingExport(b.Id, b.Provider, b.StartAt, b.EndAt, b.Title, b.Description, b.CallerName, b.CallerEmail,
                    b.Status, b.CreatedAt)))
            .OrderBy(b => b.StartAt).ToList();

        // Nothing stored about the number in this tenant (or only in another tenant's data): 404, as for any foreign id.
        if (calls.Count == 0 && transcripts.Count == 0 && bookings.Count == 0)
        {
            return Outcome<CallerExport>.NotFound();
        }

        var export = new CallerExport(e164!, tenantId, time.GetUtcNow(),
            calls.Select(c => new CallerCallExport(c.Id, c.StartedAt, c.EndedAt, c.DurationSeconds, c.ToNumber, c.Mode, c.Status, c.Outcome)).ToList(),
            transcripts, bookings, [], [], PrivacyTexts.Get("Export.Note"));
        var pseudonym = pseudonyms.Of(tenantId, e164!);
        db.Record(time, actor, ExportedAction, tenantId,
            $"{pseudonym}: {export.Calls.Count} calls, {export.Transcripts.Count} transcripts, {export.Bookings.Count} bookings",
            Scrub(tenantId, reason!, number!, e164!));
        await db.SaveChangesAsync(ct);
        return Outcome<CallerExport>.Ok(export);
    }

    public async Task<Outcome<CallerErasure>> EraseAsync(Guid tenantId, string? number, string? reason, Actor actor, CancellationToken ct)
    {
        var (e164, errors) = await ValidateAsync(tenantId, number, reason, ct);
        if (errors is not null)
        {
            return Outcome<CallerErasure>.Invalid(errors);
        }

        var pseudonym = pseudonyms.Of(tenantId, e164!);
        var sessionIds = await SessionIdsAsync(tenantId, e164!, ct);

        // Calls with usage records are the basis of an invoice (GoBD): they stay, without the number and the transcript.
        var billed = db.UsageRecords.Where(u => u.TenantId == tenantId).Select(u => u.CallId);
        var anonymized = await db.Calls.Where(c => c.TenantId == tenantId && c.FromNumber == e164 && billed.Contains(c.Id))
            .ExecuteUpdateAsync(u => u.SetProperty(c => c.FromNumber, (string?)null).SetProperty(c => c.SessionId, (Guid?)null)
                .SetProperty(c => c.DialTarget, (string?)null), ct);
        var deleted = await db.Calls.Where(c => c.TenantId == tenantId && c.FromNumber == e164).ExecuteDeleteAsync(ct);
        await db.FlowIncidents.Where(i => i.TenantId == tenantId && i.SessionId != null && sessionIds.Contains(i.SessionId.Value))
            .ExecuteDeleteAsync(ct);
        var transcripts = await db.FlowSessions.Where(s => s.TenantId == tenantId && sessionIds.Contains(s.Id)).ExecuteDeleteAsync(ct);
        var bookings = await db.SandboxEvents.Where(b => b.TenantId == tenantId && b.CallerNumber == e164).ExecuteDeleteAsync(ct)
            + await db.CalendarBookings.Where(b => b.TenantId == tenantId && b.CallerNumber == e164).ExecuteDeleteAsync(ct);

        // Earlier audit entries that name the number keep their meaning with the pseudonym instead.
        var audit = await db.AuditEntries
            .Where(a => a.TenantId == tenantId && ((a.Details != null && a.Details.Contains(e164!)) || (a.Reason != null && a.Reason.Contains(e164!))))
            .ExecuteUpdateAsync(u => u.SetProperty(a => a.Details, a => a.Details!.Replace(e164!, pseudonym))
                .SetProperty(a => a.Reason, a => a.Reason!.Replace(e164!, pseudonym)), ct);

        if (deleted + anonymized + transcripts + bookings == 0)
        {
            return Outcome<CallerErasure>.NotFound();
        }

        var erasure = new CallerErasure(pseudonym, deleted, anonymized, transcripts, bookings, audit);
        db.Record(time, actor, ErasedAction, tenantId,
            $"{pseudonym}: {deleted} calls deleted, {anonymized} billed calls anonymized, {transcripts} transcripts, {bookings} bookings, " +
            $"{audit} audit entries pseudonymized", Scrub(tenantId, reason!, number!, e164!));
        await db.SaveChangesAsync(ct);
        return Outcome<CallerErasure>.Ok(erasure);
    }

    /// <summary>The caller's sessions: those that name the number, and those of the number's calls.</summary>
    private async Task<List<Guid>> SessionIdsAsync(Guid tenantId, string e164, CancellationToken ct)
    {
        var bySession = await db.FlowSessions.Where(s => s.TenantId == tenantId && s.CallerNumber == e164).Select(s => s.Id).ToListAsync(ct);
        var byCall = await db.Calls.Where(c => c.TenantId == tenantId && c.FromNumber == e164 && c.SessionId != null)
            .Select(c => c.SessionId!.Value).ToListAsync(ct);
        return bySession.Union(byCall).ToList();
    }

    private async Task<(string? E164, Dictionary<string, string[]>? Errors)> ValidateAsync(Guid tenantId, string? number, string? reason,
        CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var country = await db.Tenants.Where(t => t.Id == tenantId).Select(t => t.Country).SingleOrDefaultAsync(ct);
        var region = PhoneNumbers.TryParseRegion(country, out var r) ? r : (NumberRegion?)null;
        var normalized = PhoneNumbers.Normalize(number, region);
        if (!normalized.IsValid)
        {
            errors["number"] = [normalized.Error ?? PrivacyTexts.Get("Validation.Number")];
        }

        if (string.IsNullOrWhiteSpace(reason))
        {
            errors["reason"] = [PrivacyTexts.Get("Validation.ReasonRequired")];
        }
        else if (reason.Trim().Length > 500)
        {
            errors["reason"] = [PrivacyTexts.Get("Validation.ReasonTooLong")];
        }

        return errors.Count > 0 ? (null, errors) : (normalized.E164, null);
    }

    /// <summary>The reason as typed, without the number (in either form) or any other number or address in clear.</summary>
    private string Scrub(Guid tenantId, string reason, string typed, string e164) =>
        pseudonyms.Scrub(tenantId, reason.Trim().Replace(typed.Trim(), e164, StringComparison.Ordinal))!;
}
