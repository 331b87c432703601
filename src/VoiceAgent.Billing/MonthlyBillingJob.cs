using Hangfire;
using Hangfire.Server;
using Microsoft.Extensions.Options;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Billing.Lexoffice;
using VoiceAgent.Platform.Data;

namespace VoiceAgent.Billing;

/// <summary>
/// The monthly billing run. Hangfire fires the recurring job (default 02:00 on the 1st, Europe/Berlin) once across all
/// instances; it bills the month before. The portal's manual run calls <see cref="RunPeriodAsync"/>, the same code.
/// Finalizes the invoices (numbers, archived PDFs) and enqueues one Lexoffice job per invoice when a key is stored; every
/// step is idempotent per tenant and period, so a retried or repeated run changes nothing that is done.
/// </summary>
public sealed class MonthlyBillingJob(
    BillingRun run,
    InvoiceDocuments documents,
    LexofficeSender lexoffice,
    IBackgroundJobClient jobs,
    BillingJobMonitor monitor,
    VoiceAgentDb db,
    IOptions<BillingOptions> options,
    TimeProvider time,
    ILogger<MonthlyBillingJob> logger)
{
    public const string RecurringJobId = "monthly-billing";
    private static readonly Actor Scheduler = new(null, "scheduler");

    /// <summary>The recurring job: the previous month (in the billing time zone) of the moment it runs.</summary>
    [DisableConcurrentExecution(timeoutInSeconds: 10 * 60)]
    [AutomaticRetry(Attempts = 3, DelaysInSeconds = [300, 1800, 7200])]
    [JobDisplayName("Monatsabrechnung (Vormonat)")]
    public async Task RunScheduledAsync(PerformContext? context, CancellationToken ct)
    {
        var period = BillingPeriod.Containing(time.GetUtcNow()).Previous;
        await RunPeriodAsync(period, options.Value.Scheduler.FinalizeScheduledRuns, RunTriggers.Schedule, Scheduler, context?.ServerId, ct);
    }

    /// <summary>Bills one period: the recurring job and the super-admin's manual run.</summary>
    public async Task<BillingRunResult> RunPeriodAsync(BillingPeriod period, bool finalize, string trigger, Actor actor, string? instance,
        CancellationToken ct)
    {
        db.Scope.UsePlatform();
        logger.LogInformation("Billing run {Period} ({Trigger}) on {Instance}", period, trigger, instance ?? Environment.MachineName);
        var result = await run.RunAsync(period, trigger, actor, finalize, instance ?? Environment.MachineName, ct);

        var send = result.FinalizedInvoiceIds.Count > 0 && await lexoffice.IsConfiguredAsync(ct);
        foreach (var invoiceId in result.FinalizedInvoiceIds)
        {
            try
            {
                await documents.EnsureArchivedAsync(invoiceId, ct);
            }
            catch (InvalidOperationException ex)
            {
                // PDFs not configured (fonts): the invoice is final; its PDF is made on first download once fixed.
                logger.LogError("PDF for invoice {InvoiceId} not archived: {Message}", invoiceId, ex.Message);
            }

            if (send)
            {
                jobs.Enqueue<LexofficeJob>(j => j.SendAsync(invoiceId, null, CancellationToken.None));
            }
        }

        monitor.Report(result);
        return result;
    }
}
