using Microsoft.Extensions.Options;
using NodaTime;
using NodaTime.Text;
using Quartz;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Billing;
using VoiceAgent.Platform.Billing.Lexoffice;
using VoiceAgent.Platform.Data;

namespace VoiceAgent.Web.Billing;

/// <summary>
/// Bills the month before the trigger's scheduled time (a one-off trigger may name the period). Finalizes the invoices
/// (numbers, archived PDFs) and sends them to Lexoffice when a key is stored; every step is idempotent, so a recovered or
/// repeated run changes nothing that is done. Never runs twice at once across the cluster.
/// </summary>
[DisallowConcurrentExecution]
public sealed class MonthlyBillingJob(
    BillingRun run,
    InvoiceDocuments documents,
    LexofficeSender lexoffice,
    BillingJobMonitor monitor,
    VoiceAgentDb db,
    IOptions<BillingOptions> options,
    ILogger<MonthlyBillingJob> logger) : IJob
{
    public const string PeriodKey = "period";
    public const string FinalizeKey = "finalize";
    private static readonly Actor Scheduler = new(null, "scheduler");

    public async Task Execute(IJobExecutionContext context)
    {
        var ct = context.CancellationToken;
        db.Scope.UsePlatform();
        var data = context.MergedJobDataMap;
        var period = data.GetString(PeriodKey) is { } text && YearMonthPattern.Iso.Parse(text) is { Success: true } parsed
            ? parsed.Value
            : PreviousMonth(context.ScheduledFireTimeUtc ?? context.FireTimeUtc);
        var finalize = data.GetString(FinalizeKey) is { } flag ? flag == "true" : options.Value.Scheduler.FinalizeScheduledRuns;

        var trigger = context.Trigger.Key.Equals(BillingScheduler.MonthlyTrigger) ? RunTriggers.Schedule : RunTriggers.Manual;
        logger.LogInformation("Billing run {Period} ({Trigger}) on {Instance}", period, trigger, context.Scheduler.SchedulerInstanceId);
        var result = await run.RunAsync(period, trigger, Scheduler, finalize, context.Scheduler.SchedulerInstanceId, ct);

        foreach (var invoiceId in result.FinalizedInvoiceIds)
        {
            try
            {
                await documents.EnsureArchivedAsync(invoiceId, ct);
            }
            catch (InvalidOperationException ex)
            {
                // PDFs not configured (license, fonts): the invoice is final; its PDF is made on first download once fixed.
                logger.LogError("PDF for invoice {InvoiceId} not archived: {Message}", invoiceId, ex.Message);
            }

            await lexoffice.SendAsync(invoiceId, Scheduler, ct);
        }

        monitor.Report(result);
    }

    public static YearMonth PreviousMonth(DateTimeOffset fired)
    {
        var local = Instant.FromDateTimeOffset(fired).InZone(InvoiceCalculator.TimeZone).Date;
        return new YearMonth(local.Year, local.Month).PlusMonths(-1);
    }
}
