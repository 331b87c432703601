using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VoiceAgent.Flows.Runtime;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Tenancy;
using VoiceAgent.Web.Admin;
using VoiceAgent.Web.Resources;

namespace VoiceAgent.Web.Privacy;

/// <summary>What the contract-end deletion removed, kept and pseudonymized.</summary>
public sealed record TenantDeletion(Guid TenantId, IReadOnlyDictionary<string, int> Deleted, int CallsAnonymized, int UsersRemoved,
    int AuditEntriesPseudonymized);

/// <summary>
/// Per-tenant data protection for the super-admin: the export of everything a tenant has stored (a ZIP of JSON and CSV),
/// the contract end (recorded now, the data deleted <see cref="PrivacyOptions.DeleteAfterDays"/> later by a job) and that
/// deletion itself. Kept for the statutory 10 years (GoBD, § 147 AO): invoices with lines and PDFs, plans, packages and
/// their consumption, Lexoffice/Stripe records, the usage records and their calls (without caller number or transcript),
/// the tenant's company data (the invoices' recipient) and the audit log (pseudonymized). Everything runs in platform scope.
/// </summary>
public sealed class TenantPrivacy(VoiceAgentDb db, Pseudonyms pseudonyms, IOptions<PrivacyOptions> options, TimeProvider time)
{
    public const string ExportedAction = "privacy.tenant_exported";
    public const string ContractEndedAction = "tenant.contract_ended";
    public const string ContractEndRevokedAction = "tenant.contract_end_revoked";
    public const string DataDeletedAction = "privacy.tenant_data_deleted";

    /// <summary>Tenant tables the deletion empties, in an order the foreign keys allow.</summary>
    public static readonly string[] DeletedTables =
    [
        "calendar_bookings", "sandbox_events", "sandbox_calendar_confirmations", "calendar_settings", "oauth_states", "calendar_connections",
        "tenant_prompts", "tenant_speech", "tenant_twilio_accounts", "call_settings", "setup_wizards", "flow_incidents", "flow_sessions",
        "phone_numbers", "flow_versions", "flows",
    ];

    /// <summary>Tenant tables the deletion keeps (billing case, GoBD) or handles on its own (calls, users, audit, the tenant row).</summary>
    public static readonly string[] KeptTables =
    [
        "tenants", "audit_entries", "users", "calls", "usage_records", "tenant_plans", "package_purchases", "package_consumptions", "invoices",
        "invoice_lines", "invoice_documents", "lexoffice_contacts", "lexoffice_transmissions", "stripe_checkouts",
    ];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public async Task<Outcome<byte[]>> ExportAsync(Guid tenantId, string? reason, Actor actor, CancellationToken ct)
    {
        if (Reason(reason) is { } invalid)
        {
            return Outcome<byte[]>.Invalid("reason", invalid);
        }

        var tenant = await db.Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.Id == tenantId, ct);
        if (tenant is null)
        {
            return Outcome<byte[]>.NotFound();
        }

        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            await WriteJsonAsync(zip, "tenant.json", tenant);
            var flows = await db.Flows.AsNoTracking().Where(f => f.TenantId == tenantId).OrderBy(f => f.CreatedAt).ToListAsync(ct);
            var versions = await db.FlowVersions.AsNoTracking().Where(v => v.TenantId == tenantId).OrderBy(v => v.Version).ToListAsync(ct);
            await WriteJsonAsync(zip, "flows.json", flows.Select(f => new
            {
                f.Id, f.Name, f.CreatedAt, f.UpdatedAt,
                Versions = versions.Where(v => v.FlowId == f.Id).Select(v => new
                {
                    v.Id, v.Version, Status = v.Status.ToString().ToLowerInvariant(), v.CreatedAt, v.PublishedAt,
                    Definition = JsonDocument.Parse(v.Definition).RootElement,
                }),
            }));

            var numbers = await db.PhoneNumbers.AsNoTracking().Where(n => n.TenantId == tenantId).OrderBy(n => n.BoundAt).ToListAsync(ct);
            await WriteCsvAsync(zip, "numbers.csv", ["number", "provider", "flow_id", "bound_at", "released_at"],
                numbers.Select(n => new[] { n.Number, n.Provider, n.FlowId?.ToString(), Iso(n.BoundAt), Iso(n.ReleasedAt) }));

            var calls = await db.Calls.AsNoTracking().Where(c => c.TenantId == tenantId).OrderBy(c => c.StartedAt).ToListAsync(ct);
            await WriteCsvAsync(zip, "calls.csv",
                ["id", "provider", "from_number", "to_number", "mode", "status", "outcome", "started_at", "ended_at", "duration_seconds"],
                calls.Select(c => new[]
                {
                    c.Id.ToString(), c.Provider, c.FromNumber, c.ToNumber, c.Mode, c.Status, c.Outcome, Iso(c.StartedAt), Iso(c.EndedAt),
                    c.DurationSeconds?.ToString(CultureInfo.InvariantCulture),
                }));

            var sessions = await db.FlowSessions.AsNoTracking().Where(s => s.TenantId == tenantId).OrderBy(s => s.CreatedAt).ToListAsync(ct);
            await WriteJsonAsync(zip, "transcripts.json", sessions.Select(s => new
            {
                SessionId = s.Id, s.Kind, s.CallerNumber, s.CreatedAt,
                Lines = FlowInstance.FromJson(s.State).Transcript.Select(l => new { Role = l.Role.Name, l.Text, l.At }),
            }));

            var sandbox = await db.SandboxEvents.AsNoTracking().Where(b => b.TenantId == tenantId).OrderBy(b => b.StartAt).ToListAsync(ct);
            var external = await db.CalendarBookings.AsNoTracking().Where(b => b.TenantId == tenantId).OrderBy(b => b.StartAt).ToListAsync(ct);
            await WriteJsonAsync(zip, "bookings.json", new
            {
                Sandbox = sandbox.Select(b => new { b.Id, b.StartAt, b.EndAt, b.Title, b.Description, b.CallerNumber, b.CallerName, b.Status, b.CreatedAt }),
                Calendar = external.Select(b => new
                {
                    b.Id, b.Provider, b.StartAt, b.EndAt, b.Title, b.Description, b.CallerNumber, b.CallerName, b.CallerEmail, b.Status, b.CreatedAt,
                }),
            });

            // Users without password hash, security stamp or anything else that signs in.
            var users = await db.Users.AsNoTracking().Where(u => u.TenantId == tenantId).OrderBy(u => u.CreatedAt).ToListAsync(ct);
            await WriteCsvAsync(zip, "users.csv", ["id", "email", "display_name", "role", "created_at"],
                users.Select(u => new[] { u.Id.ToString(), u.Email, u.DisplayName, u.Role.ToString(), Iso(u.CreatedAt) }));

            var invoices = await db.Invoices.AsNoTracking().Where(i => i.TenantId == tenantId).OrderBy(i => i.Period).ToListAsync(ct);
            await WriteCsvAsync(zip, "invoices.csv", ["id", "number", "kind", "status", "period", "invoice_date", "net_cents", "currency", "finalized_at", "cancelled_at"],
                invoices.Select(i => new[]
                {
                    i.Id.ToString(), i.Number, i.Kind, i.Status, i.Period.ToString("yyyy-MM", CultureInfo.InvariantCulture),
                    i.InvoiceDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), i.NetCents.ToString(CultureInfo.InvariantCulture), i.Currency,
                    Iso(i.FinalizedAt), Iso(i.CancelledAt),
                }));
        }

        db.Record(time, actor, ExportedAction, tenantId, "ZIP: tenant, flows, numbers, calls, transcripts, bookings, users, invoices",
            pseudonyms.Scrub(tenantId, reason!.Trim()));
        await db.SaveChangesAsync(ct);
        return Outcome<byte[]>.Ok(buffer.ToArray());
    }

    /// <summary>Records the contract end; the tenant is suspended and its data deleted <see cref="PrivacyOptions.DeleteAfterDays"/> later.</summary>
    public async Task<Outcome<Tenant>> EndContractAsync(Guid tenantId, string? reason, Actor actor, CancellationToken ct)
    {
        var (tenant, problem) = await LoadAsync(tenantId, reason, ct);
        if (problem is not null)
        {
            return problem;
        }

        if (tenant!.ContractEndedAt is not null || tenant.DataDeletedAt is not null)
        {
            return Outcome<Tenant>.Conflict(PrivacyTexts.Get("Contract.AlreadyEnded"));
        }

        var now = time.GetUtcNow();
        tenant.ContractEndedAt = now;
        if (tenant.Status == TenantStatus.Approved)
        {
            tenant.Status = TenantStatus.Suspended;
            tenant.StatusReason = reason!.Trim();
            tenant.StatusChangedAt = now;
        }

        db.Record(time, actor, ContractEndedAction, tenantId,
            $"data deletion due {now.AddDays(options.Value.DeleteAfterDays):yyyy-MM-dd} ({options.Value.DeleteAfterDays} days)", reason!.Trim());
        await db.SaveChangesAsync(ct);
        return Outcome<Tenant>.Ok(tenant);
    }

    public async Task<Outcome<Tenant>> RevokeContractEndAsync(Guid tenantId, string? reason, Actor actor, CancellationToken ct)
    {
        var (tenant, problem) = await LoadAsync(tenantId, reason, ct);
        if (problem is not null)
        {
            return problem;
        }

        if (tenant!.ContractEndedAt is null || tenant.DataDeletedAt is not null)
        {
            return Outcome<Tenant>.Conflict(PrivacyTexts.Get("Contract.NotRevocable"));
        }

        tenant.ContractEndedAt = null;
        db.Record(time, actor, ContractEndRevokedAction, tenantId, "deletion cancelled", reason!.Trim());
        await db.SaveChangesAsync(ct);
        return Outcome<Tenant>.Ok(tenant);
    }

    /// <summary>Deletes the tenant's data except what must be kept (see the class summary). Idempotent: runs once per tenant.</summary>
    public async Task<TenantDeletion?> DeleteDataAsync(Guid tenantId, Actor actor, CancellationToken ct)
    {
        var tenant = await db.Tenants.FromSqlInterpolated($"SELECT * FROM tenants WHERE id = {tenantId} FOR UPDATE").SingleOrDefaultAsync(ct);
        if (tenant is null || tenant.DataDeletedAt is not null)
        {
            return null;
        }

        var anonymized = await db.Database.ExecuteSqlInterpolatedAsync($"""
            UPDATE calls SET from_number = NULL, session_id = NULL, dial_target = NULL, phone_number_id = NULL, flow_id = NULL
             WHERE tenant_id = {tenantId} AND id IN (SELECT call_id FROM usage_records WHERE tenant_id = {tenantId})
            """, ct);
        var deleted = new Dictionary<string, int>
        {
            ["calls"] = await db.Database.ExecuteSqlInterpolatedAsync(
                $"DELETE FROM calls WHERE tenant_id = {tenantId} AND id NOT IN (SELECT call_id FROM usage_records WHERE tenant_id = {tenantId})", ct),
        };
        foreach (var table in DeletedTables)
        {
            // The table names are this class's constants, never input.
#pragma warning disable EF1002
            deleted[table] = await db.Database.ExecuteSqlRawAsync($"DELETE FROM {table} WHERE tenant_id = {{0}}", [tenantId], ct);
#pragma warning restore EF1002
        }

        // The audit log stays (who did what, when), with the tenant's users' addresses and any number or address as pseudonyms.
        var emails = await db.Users.Where(u => u.TenantId == tenantId && u.Email != null).Select(u => u.Email!).ToListAsync(ct);
        var entries = await db.AuditEntries.Where(a => a.TenantId == tenantId).ToListAsync(ct);
        var pseudonymized = 0;
        foreach (var entry in entries)
        {
            var before = (entry.ActorEmail, entry.Details, entry.Reason);
            if (entry.ActorEmail is { } email && emails.Contains(email, StringComparer.OrdinalIgnoreCase))
            {
                entry.ActorEmail = pseudonyms.Of(tenantId, email);
            }

            entry.Details = pseudonyms.Scrub(tenantId, entry.Details);
            entry.Reason = pseudonyms.Scrub(tenantId, entry.Reason);
            pseudonymized += before != (entry.ActorEmail, entry.Details, entry.Reason) ? 1 : 0;
        }

        await db.SaveChangesAsync(ct);
        var users = await db.Users.Where(u => u.TenantId == tenantId).ExecuteDeleteAsync(ct);
        tenant.DataDeletedAt = time.GetUtcNow();
        var deletion = new TenantDeletion(tenantId, deleted, anonymized, users, pseudonymized);
        db.Record(time, actor, DataDeletedAction, tenantId,
            $"{string.Join(", ", deleted.Where(d => d.Value > 0).Select(d => $"{d.Key}: {d.Value}"))}; {anonymized} billed calls anonymized; " +
            $"{users} users removed; {pseudonymized} audit entries pseudonymized; invoices and billing case kept (GoBD)",
            "contract ended " + tenant.ContractEndedAt?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        await db.SaveChangesAsync(ct);
        return deletion;
    }

    /// <summary>Tenants whose contract ended at least <see cref="PrivacyOptions.DeleteAfterDays"/> ago and whose data is still there.</summary>
    public Task<List<Guid>> DueForDeletionAsync(CancellationToken ct)
    {
        var before = time.GetUtcNow().AddDays(-options.Value.DeleteAfterDays);
        return db.Tenants.AsNoTracking().Where(t => t.ContractEndedAt != null && t.ContractEndedAt <= before && t.DataDeletedAt == null)
            .Select(t => t.Id).ToListAsync(ct);
    }

    private async Task<(Tenant? Tenant, Outcome<Tenant>? Problem)> LoadAsync(Guid tenantId, string? reason, CancellationToken ct)
    {
        if (Reason(reason) is { } invalid)
        {
            return (null, Outcome<Tenant>.Invalid("reason", invalid));
        }

        var tenant = await db.Tenants.SingleOrDefaultAsync(t => t.Id == tenantId, ct);
        return tenant is null ? (null, Outcome<Tenant>.NotFound()) : (tenant, null);
    }

    internal static string? Reason(string? reason) =>
        string.IsNullOrWhiteSpace(reason) ? PrivacyTexts.Get("Validation.ReasonRequired")
        : reason.Trim().Length > 500 ? PrivacyTexts.Get("Validation.ReasonTooLong")
        : null;

    private static string? Iso(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static async Task WriteJsonAsync<T>(ZipArchive zip, string name, T value)
    {
        await using var stream = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
        await JsonSerializer.SerializeAsync(stream, value, Json);
    }

    private static async Task WriteCsvAsync(ZipArchive zip, string name, string[] header, IEnumerable<string?[]> rows)
    {
        await using var stream = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
        await using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true)) { NewLine = "\r\n" };
        await writer.WriteLineAsync(AuditCsv.Line(header));
        foreach (var row in rows)
        {
            await writer.WriteLineAsync(AuditCsv.Line(row));
        }
    }
}
