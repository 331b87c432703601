using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Security;

namespace VoiceAgent.Billing.Lexoffice;

public enum SendOutcome
{
    /// <summary>No Lexoffice key: the invoice stays local.</summary>
    NotConfigured,

    /// <summary>Sent now (or found at Lexoffice after an interrupted attempt) and its PDF stored.</summary>
    Sent,

    /// <summary>Was sent before; nothing to do.</summary>
    AlreadySent,

    /// <summary>Another instance is sending this invoice right now.</summary>
    Busy,

    /// <summary>Failed; the reason is on the invoice (<see cref="LexofficeTransmission.LastError"/>).</summary>
    Failed,
}

/// <summary>
/// Sends a finalized invoice to Lexoffice: contact upsert (optimistic locking by version), invoice with finalize=true,
/// then its number and PDF. Never creates a second invoice: right before the create request the transmission is marked
/// pending and committed; an attempt that finds it still pending (crash, timeout, 5xx) first looks for an invoice carrying
/// our number at Lexoffice and only creates one when there is none. One sender per invoice across instances (advisory lock).
/// </summary>
public sealed class LexofficeSender(IServiceScopeFactory scopes, LexofficeClient client, NpgsqlDataSource dataSource, TimeProvider time,
    ILogger<LexofficeSender> logger)
{
    public const string ApiKeySetting = "lexoffice.api_key";
    private const int LockNamespace = 0x4c6578; // "Lex"

    public async Task<bool> IsConfiguredAsync(CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        return !string.IsNullOrEmpty(await scope.ServiceProvider.GetRequiredService<SettingsStore>().GetAsync(ApiKeySetting, ct));
    }

    public async Task<SendOutcome> SendAsync(Guid invoiceId, Actor actor, CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var apiKey = await scope.ServiceProvider.GetRequiredService<SettingsStore>().GetAsync(ApiKeySetting, ct);
        if (string.IsNullOrEmpty(apiKey))
        {
            return SendOutcome.NotConfigured;
        }

        await using var lockConnection = await dataSource.OpenConnectionAsync(ct);
        if (!await LockAsync(lockConnection, "pg_try_advisory_lock", invoiceId, ct))
        {
            return SendOutcome.Busy;
        }

        try
        {
            return await SendLockedAsync(scope, apiKey, invoiceId, actor, ct);
        }
        finally
        {
            await LockAsync(lockConnection, "pg_advisory_unlock", invoiceId, CancellationToken.None);
        }
    }

    private async Task<SendOutcome> SendLockedAsync(AsyncServiceScope scope, string apiKey, Guid invoiceId, Actor actor, CancellationToken ct)
    {
        // Row-level security applies per transaction, so every database step below runs in a short one of its own: the
        // pending marker must be committed before the request, and no transaction stays open while Lexoffice is called.
        var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
        db.Scope.UsePlatform();
        var (invoice, transmission) = await InTransactionAsync(db, async () =>
        {
            var found = await db.Invoices.AsNoTracking().Include(i => i.Lines).SingleOrDefaultAsync(i => i.Id == invoiceId, ct)
                        ?? throw new BillingException(BillingErrorCodes.InvoiceNotFound);
            var row = await db.LexofficeTransmissions.SingleOrDefaultAsync(t => t.InvoiceId == invoiceId, ct);
            return (found, row);
        }, ct);
        if (invoice.Status != InvoiceStatuses.Finalized || invoice.Kind == InvoiceKinds.Cancellation)
        {
            throw new BillingException(BillingErrorCodes.LexofficeOnlyFinalized);
        }

        if (transmission is null)
        {
            transmission = new LexofficeTransmission { InvoiceId = invoiceId, TenantId = invoice.TenantId, State = TransmissionStates.Failed };
            db.LexofficeTransmissions.Add(transmission);
        }
        else if (transmission.State == TransmissionStates.Sent && transmission.DocumentFetchedAt is not null)
        {
            return SendOutcome.AlreadySent;
        }

        if (transmission.State == TransmissionStates.GaveUp)
        {
            transmission.State = transmission.PendingSince is null ? TransmissionStates.Failed : TransmissionStates.Pending;
            transmission.GaveUpAt = null;
        }

        transmission.Attempts++;
        transmission.LastAttemptAt = time.GetUtcNow();
        await db.SaveInTransactionAsync(ct);

        try
        {
            if (transmission.LexofficeInvoiceId is null)
            {
                var contactId = await UpsertContactAsync(db, apiKey, invoice.TenantId, ct);
                var existing = transmission.PendingSince is { } since
                    ? await FindAsync(apiKey, contactId, invoice, since, ct)
                    : null;
                if (existing is null)
                {
                    // The marker: committed before the request, so a crash after it leaves a trace to recover from.
                    transmission.State = TransmissionStates.Pending;
                    transmission.PendingSince = time.GetUtcNow();
                    await db.SaveInTransactionAsync(ct);
                    try
                    {
                        existing = await client.CreateInvoiceAsync(apiKey, LexofficePayloads.Invoice(invoice, invoice.Lines, contactId), ct);
                    }
                    catch (LexofficeException ex) when (ex.Ambiguous)
                    {
                        existing = await FindAsync(apiKey, contactId, invoice, transmission.PendingSince.Value, ct);
                        if (existing is null)
                        {
                            transmission.LastError = Limit($"Ergebnis unklar ({ex.Message}); der nächste Versuch prüft zuerst bei Lexoffice.");
                            await db.SaveInTransactionAsync(ct);
                            return SendOutcome.Failed;
                        }
                    }
                    catch (LexofficeException)
                    {
                        // A definite refusal (4xx): nothing was created at Lexoffice.
                        transmission.PendingSince = null;
                        throw;
                    }
                }

                transmission.LexofficeInvoiceId = existing;
                transmission.State = TransmissionStates.Sent;
                transmission.SentAt = time.GetUtcNow();
                transmission.LastError = null;
                db.Record(time, actor, BillingAuditActions.InvoiceSent, invoice.TenantId, $"{invoice.Number} → {existing}");
                await db.SaveInTransactionAsync(ct);
            }

            var lexofficeId = transmission.LexofficeInvoiceId.Value;
            var details = await client.GetInvoiceAsync(apiKey, lexofficeId, ct);
            transmission.VoucherNumber = details["voucherNumber"]?.ToString();
            transmission.VoucherStatus = details["voucherStatus"]?.ToString();
            var pdf = await client.GetInvoiceFileAsync(apiKey, lexofficeId, ct);
            if (!await InTransactionAsync(db, () => db.InvoiceDocuments.AnyAsync(d => d.InvoiceId == invoiceId && d.Source == DocumentSources.Lexoffice, ct), ct))
            {
                await scope.ServiceProvider.GetRequiredService<InvoiceDocuments>().ArchiveAsync(invoice, DocumentSources.Lexoffice, pdf, ct);
            }

            transmission.DocumentFetchedAt = time.GetUtcNow();
            transmission.LastError = null;
            await db.SaveInTransactionAsync(ct);
            return SendOutcome.Sent;
        }
        catch (Exception ex) when (ex is LexofficeException or HttpRequestException or System.Text.Json.JsonException or FormatException)
        {
            logger.LogWarning("Lexoffice transmission of invoice {InvoiceId} failed: {Message}", invoiceId, ex.Message);
            if (transmission.State != TransmissionStates.Sent && transmission.PendingSince is null)
            {
                transmission.State = TransmissionStates.Failed;
            }

            transmission.LastError = Limit(ex is LexofficeException ? ex.Message : "Unerwartete Antwort von Lexoffice.");
            await db.SaveInTransactionAsync(CancellationToken.None);
            return SendOutcome.Failed;
        }
    }

    /// <summary>The job's last retry failed too: the transmission shows "gave up" with its last reason until sent by hand.</summary>
    public async Task GiveUpAsync(Guid invoiceId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
        db.Scope.UsePlatform();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var transmission = await db.LexofficeTransmissions.SingleOrDefaultAsync(t => t.InvoiceId == invoiceId, ct);
        if (transmission is not null && transmission.State != TransmissionStates.Sent)
        {
            transmission.State = TransmissionStates.GaveUp;
            transmission.GaveUpAt = time.GetUtcNow();
            await db.SaveChangesAsync(ct);
        }

        await tx.CommitAsync(ct);
    }

    /// <summary>Why the last attempt failed (for the job's exception, shown in the dashboard).</summary>
    public async Task<string?> LastErrorAsync(Guid invoiceId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
        db.Scope.UsePlatform();
        return await InTransactionAsync(db, () => db.LexofficeTransmissions.AsNoTracking()
            .Where(t => t.InvoiceId == invoiceId).Select(t => t.LastError).SingleOrDefaultAsync(ct), ct);
    }

    private async Task<Guid> UpsertContactAsync(VoiceAgentDb db, string apiKey, Guid tenantId, CancellationToken ct)
    {
        var (tenant, stored) = await InTransactionAsync(db, async () => (
            await db.Tenants.AsNoTracking().SingleAsync(t => t.Id == tenantId, ct),
            await db.LexofficeContacts.SingleOrDefaultAsync(c => c.TenantId == tenantId, ct)), ct);
        if (stored is null)
        {
            var (id, version) = await client.CreateContactAsync(apiKey, LexofficePayloads.Contact(tenant, 0), ct);
            db.LexofficeContacts.Add(new LexofficeContact { TenantId = tenantId, ContactId = id, Version = version, SyncedAt = time.GetUtcNow() });
            await db.SaveInTransactionAsync(ct);
            return id;
        }

        // Optimistic locking: read the current version right before writing; a 409 means someone changed it in between.
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var current = await client.GetContactAsync(apiKey, stored.ContactId, ct);
            var version = (int)current["version"]!;
            var updated = await client.UpdateContactAsync(apiKey, stored.ContactId,
                LexofficePayloads.Contact(tenant, version, current["roles"] as JsonObject), ct);
            if (updated is { } newVersion)
            {
                stored.Version = newVersion;
                stored.SyncedAt = time.GetUtcNow();
                await db.SaveInTransactionAsync(ct);
                return stored.ContactId;
            }
        }

        throw new LexofficeException(BillingTexts.Get(BillingErrorCodes.LexofficeContactBusy));
    }

    private async Task<Guid?> FindAsync(string apiKey, Guid contactId, Invoice invoice, DateTimeOffset since, CancellationToken ct)
    {
        var from = DateOnly.FromDateTime(since.UtcDateTime.AddDays(-1));
        foreach (var candidate in await client.FindInvoicesAsync(apiKey, contactId, from, ct))
        {
            var details = await client.GetInvoiceAsync(apiKey, candidate, ct);
            if (details["remark"]?.ToString()?.Contains(LexofficePayloads.Marker(invoice), StringComparison.Ordinal) == true)
            {
                return candidate;
            }
        }

        return null;
    }

    private static async Task<bool> LockAsync(NpgsqlConnection connection, string function, Guid invoiceId, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"SELECT {function}(@ns, hashtext(@id))", connection);
        cmd.Parameters.AddWithValue("ns", LockNamespace);
        cmd.Parameters.AddWithValue("id", invoiceId.ToString());
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    private static async Task<T> InTransactionAsync<T>(VoiceAgentDb db, Func<Task<T>> work, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var result = await work();
        await tx.CommitAsync(ct);
        return result;
    }

    private static string Limit(string text) => text.Length <= 1000 ? text : text[..1000];
}
