using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NodaTime;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Email;

namespace VoiceAgent.Billing;

public sealed record BillingRunResult(
    Guid RunId,
    BillingPeriod Period,
    int Created,
    int Updated,
    int Unchanged,
    int Finalized,
    IReadOnlyList<BillingProblem> Problems,
    IReadOnlyList<Guid> FinalizedInvoiceIds);

/// <summary>
/// The monthly run for one period: computes every tenant's invoice (<see cref="BillingCalculation"/>) and stores it,
/// idempotently per (tenant, period): a finalized invoice is never touched, a draft is rewritten only when its content
/// changed, and the unique index on (tenant, period) makes concurrent runs (two instances, a manual and a scheduled run)
/// store each invoice once. Each tenant is its own transaction, so one failure does not stop the others.
/// </summary>
public sealed class BillingRun(IServiceScopeFactory scopes, InvoiceFinalizer finalizer, TimeProvider time, IOptionsMonitor<BillingOptions> options,
    ILogger<BillingRun> logger)
{
    /// <summary>Computes without storing anything (the super-admin's preview).</summary>
    public async Task<BillingComputation> PreviewAsync(BillingPeriod period, CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
        db.Scope.UsePlatform();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        return await BillingCalculation.ComputeAsync(db, period, ct: ct);
    }

    public async Task<BillingRunResult> RunAsync(BillingPeriod period, string trigger, Actor actor, bool finalize, string? instance = null,
        CancellationToken ct = default)
    {
        var run = new BillingRunRecord
        {
            Id = Guid.NewGuid(),
            Period = period.ToColumn(),
            Trigger = trigger,
            Instance = instance,
            StartedBy = actor.Email,
            StartedAt = time.GetUtcNow(),
        };
        await WithDbAsync(async db =>
        {
            db.BillingRuns.Add(run);
            db.Record(time, actor, BillingAuditActions.RunStarted, null, $"{period} ({trigger}{(finalize ? ", finalisieren" : "")})");
            await db.SaveChangesAsync(ct);
        }, ct);

        var problems = new List<BillingProblem>();
        var finalized = new List<Guid>();
        try
        {
            var computation = await WithDbAsync(db => BillingCalculation.ComputeAsync(db, period, ct: ct), ct);
            problems.AddRange(computation.Problems);
            foreach (var bill in computation.Bills)
            {
                try
                {
                    var (outcome, invoiceId, wasFinalized) = await StoreAsync(bill, actor, finalize, ct);
                    switch (outcome)
                    {
                        case StoreOutcome.Created: run.InvoicesCreated++; break;
                        case StoreOutcome.Updated: run.InvoicesUpdated++; break;
                        default: run.InvoicesUnchanged++; break;
                    }

                    if (wasFinalized)
                    {
                        run.InvoicesFinalized++;
                        finalized.Add(invoiceId!.Value);
                    }
                }
                catch (Exception ex) when (ex is BillingException or DbUpdateException or PostgresException)
                {
                    logger.LogError(ex, "Billing run {Period}: tenant {TenantId} failed", period, bill.Tenant.Id);
                    problems.Add(new BillingProblem(bill.Tenant.Id, bill.Tenant.CompanyName, ex is BillingException ? ex.Message : BillingTexts.Get(BillingErrorCodes.SaveFailed)));
                }
            }

            run.Failures = problems.Count;
            run.Error = problems.Count == 0 ? null : Truncate(string.Join("; ", problems.Select(p => $"{p.Company}: {p.Message}")), 2000);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            run.Failures++;
            run.Error = Truncate("Abbruch: " + ex.Message, 2000);
            throw;
        }
        finally
        {
            run.FinishedAt = time.GetUtcNow();
            await WithDbAsync(async db =>
            {
                db.BillingRuns.Update(run);
                await db.SaveChangesAsync(CancellationToken.None);
            }, CancellationToken.None);
        }

        return new BillingRunResult(run.Id, period, run.InvoicesCreated, run.InvoicesUpdated, run.InvoicesUnchanged, run.InvoicesFinalized,
            problems, finalized);
    }

    private enum StoreOutcome
    {
        Created,
        Updated,
        Unchanged,
    }

    private async Task<(StoreOutcome Outcome, Guid? InvoiceId, bool Finalized)> StoreAsync(TenantBill bill, Actor actor, bool finalize, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
        db.Scope.UsePlatform();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var period = bill.Preview.Period.ToColumn();
        await db.Database.ExecuteSqlAsync(
            $"SELECT 1 FROM invoices WHERE tenant_id = {bill.Tenant.Id} AND period = {period} AND kind = 'monthly' AND status <> 'cancelled' FOR UPDATE", ct);
        var existing = await db.Invoices.SingleOrDefaultAsync(
            i => i.TenantId == bill.Tenant.Id && i.Period == period && i.Kind == InvoiceKinds.Monthly && i.Status != InvoiceStatuses.Cancelled, ct);
        if (existing is { IsDraft: false })
        {
            return (StoreOutcome.Unchanged, existing.Id, false);
        }

        var draft = Draft(bill, actor);
        StoreOutcome outcome;
        if (bill.Preview.Lines.Count == 0)
        {
            // Nothing to bill (no fee, nothing over the included minutes): no invoice; an earlier draft goes.
            if (existing is null)
            {
                return (StoreOutcome.Unchanged, null, false);
            }

            db.Invoices.Remove(existing);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return (StoreOutcome.Updated, null, false);
        }

        if (existing is null)
        {
            db.Invoices.Add(draft.Invoice);
            db.PackageConsumptions.AddRange(draft.Consumptions);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
            {
                // Another instance stored this tenant's invoice first.
                return (StoreOutcome.Unchanged, null, false);
            }

            outcome = StoreOutcome.Created;
            existing = draft.Invoice;
        }
        else if (existing.InputHash == draft.Invoice.InputHash)
        {
            outcome = StoreOutcome.Unchanged;
        }
        else
        {
            await db.InvoiceItems.Where(l => l.InvoiceId == existing.Id).ExecuteDeleteAsync(ct);
            await db.PackageConsumptions.Where(c => c.InvoiceId == existing.Id).ExecuteDeleteAsync(ct);
            var fresh = draft.Invoice;
            existing.ServiceFrom = fresh.ServiceFrom;
            existing.ServiceUntil = fresh.ServiceUntil;
            existing.PlanVersionId = fresh.PlanVersionId;
            existing.TenantPlanId = fresh.TenantPlanId;
            existing.Issuer = fresh.Issuer;
            existing.Recipient = fresh.Recipient;
            existing.NetCents = fresh.NetCents;
            existing.TaxRatePercent = fresh.TaxRatePercent;
            existing.TaxCents = fresh.TaxCents;
            existing.GrossCents = fresh.GrossCents;
            existing.TaxRule = fresh.TaxRule;
            existing.TaxNote = fresh.TaxNote;
            existing.Calculation = fresh.Calculation;
            existing.InputHash = fresh.InputHash;
            existing.UpdatedAt = fresh.UpdatedAt;
            foreach (var line in fresh.Lines)
            {
                line.InvoiceId = existing.Id;
                db.InvoiceItems.Add(line);
            }

            foreach (var consumption in draft.Consumptions)
            {
                consumption.InvoiceId = existing.Id;
                db.PackageConsumptions.Add(consumption);
            }

            await db.SaveChangesAsync(ct);
            outcome = StoreOutcome.Updated;
        }

        var finalized = finalize && await finalizer.FinalizeInTransactionAsync(db, scope.ServiceProvider.GetRequiredService<MailOutbox>(), existing.Id, actor, ct);
        await tx.CommitAsync(ct);
        return (outcome, existing.Id, finalized);
    }

    private (Invoice Invoice, List<PackageConsumption> Consumptions) Draft(TenantBill bill, Actor actor)
    {
        var preview = bill.Preview;
        var now = time.GetUtcNow();
        var id = Guid.NewGuid();
        var first = preview.Period.ToColumn();
        var serviceFrom = bill.Assignment.StartDate > first ? bill.Assignment.StartDate : first;
        var last = preview.Period.LastDay.ToDateOnly();
        var serviceUntil = bill.Assignment.EndDate is { } end && end < last ? end : last;
        var lines = preview.Lines.Select((l, i) => new InvoiceItem
        {
            InvoiceId = id,
            Position = i + 1,
            TenantId = bill.Tenant.Id,
            Kind = l.Kind.ToLineKind(),
            Description = l.Description,
            Quantity = l.Quantity,
            Unit = l.Kind == InvoiceLineKind.BaseFee ? "Monat" : "Minuten",
            UnitPriceCents = l.UnitPriceCents,
            AmountCents = l.AmountCents,
        }).ToList();
        var consumptions = bill.Consumption.Select(c => new PackageConsumption
        {
            InvoiceId = id,
            PurchaseId = c.Purchase.Id,
            TenantId = bill.Tenant.Id,
            Seconds = c.Seconds,
        }).ToList();
        var invoice = new Invoice
        {
            Id = id,
            TenantId = bill.Tenant.Id,
            Kind = InvoiceKinds.Monthly,
            Status = InvoiceStatuses.Draft,
            Period = first,
            ServiceFrom = serviceFrom,
            ServiceUntil = serviceUntil < serviceFrom ? serviceFrom : serviceUntil,
            PlanVersionId = bill.Version.Id,
            TenantPlanId = bill.Assignment.Id,
            Issuer = InvoiceParty.Issuer(options.CurrentValue.Issuer).ToJson(),
            Recipient = InvoiceParty.Recipient(bill.Tenant).ToJson(),
            NetCents = preview.NetCents,
            TaxRatePercent = preview.Tax.RatePercent,
            TaxCents = preview.TaxCents,
            GrossCents = preview.GrossCents,
            TaxRule = InvoicePreviewJson.TaxRuleName(preview.Tax.Rule),
            TaxNote = preview.Tax.Note,
            Calculation = InvoicePreviewJson.Serialize(preview),
            CreatedAt = now,
            UpdatedAt = now,
            CreatedBy = actor.Email,
            Lines = lines,
        };
        invoice.InputHash = Hash(invoice, consumptions);
        return (invoice, consumptions);
    }

    // What the invoice says and which packages it draws on: identical inputs give identical content, hence no change.
    private static string Hash(Invoice invoice, List<PackageConsumption> consumptions)
    {
        var content = JsonSerializer.Serialize(new
        {
            invoice.ServiceFrom,
            invoice.ServiceUntil,
            invoice.PlanVersionId,
            invoice.TenantPlanId,
            invoice.Issuer,
            invoice.Recipient,
            invoice.NetCents,
            invoice.TaxRatePercent,
            invoice.TaxCents,
            invoice.GrossCents,
            invoice.TaxRule,
            invoice.TaxNote,
            Lines = invoice.Lines.Select(l => new { l.Position, l.Kind, l.Description, l.Quantity, l.Unit, l.UnitPriceCents, l.AmountCents }),
            Consumptions = consumptions.OrderBy(c => c.PurchaseId).Select(c => new { c.PurchaseId, c.Seconds }),
        });
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)));
    }

    private async Task<T> WithDbAsync<T>(Func<VoiceAgentDb, Task<T>> work, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
        db.Scope.UsePlatform();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var result = await work(db);
        await tx.CommitAsync(ct);
        return result;
    }

    private Task WithDbAsync(Func<VoiceAgentDb, Task> work, CancellationToken ct) =>
        WithDbAsync(async db =>
        {
            await work(db);
            return true;
        }, ct);

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max];
}
