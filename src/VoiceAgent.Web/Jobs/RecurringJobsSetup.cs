using Hangfire;
using Microsoft.Extensions.Options;
using VoiceAgent.Platform.Billing;
using VoiceAgent.Platform.Calendars;
using VoiceAgent.Platform.Email;
using VoiceAgent.Web.Billing;

namespace VoiceAgent.Web.Jobs;

/// <summary>
/// Stores the recurring jobs at start (every instance does it; Hangfire keeps one row per job id, so they run once per
/// occurrence across all instances). If the database is not reachable yet, it tries again until it is.
/// </summary>
public sealed class RecurringJobsSetup(
    IRecurringJobManager recurring,
    IOptions<BillingOptions> billing,
    IOptions<CalendarOptions> calendars,
    ILogger<RecurringJobsSetup> logger) : BackgroundService
{
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                Register();
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Recurring jobs could not be stored; retrying in {Delay}", RetryAfter);
            }

            try
            {
                await Task.Delay(RetryAfter, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Register()
    {
        var scheduler = billing.Value.Scheduler;
        if (scheduler.Enabled)
        {
            try
            {
                recurring.AddOrUpdate<MonthlyBillingJob>(MonthlyBillingJob.RecurringJobId, j => j.RunScheduledAsync(null, CancellationToken.None),
                    scheduler.MonthlyCron, new RecurringJobOptions { TimeZone = TimeZoneInfo.FindSystemTimeZoneById(scheduler.TimeZone) });
            }
            catch (ArgumentException)
            {
                // Hangfire refuses the expression; the stored schedule (if any) stays as it was.
                logger.LogError("Billing:Scheduler:MonthlyCron \"{Cron}\" ist kein gültiger Cron-Ausdruck (fünf Felder, z. B. \"0 2 1 * *\" = 02:00 am 1. des Monats); die Monatsabrechnung wurde nicht geändert.",
                    scheduler.MonthlyCron);
            }
        }
        else
        {
            recurring.RemoveIfExists(MonthlyBillingJob.RecurringJobId);
        }

        recurring.AddOrUpdate<MailJobs>(MailJobs.SweepJobId, j => j.SweepAsync(CancellationToken.None), Cron.Minutely());

        // Tests that drive the booking outbox themselves turn the job off; other instances keep theirs.
        if (calendars.Value.RunWorker)
        {
            recurring.AddOrUpdate<CalendarBookingJob>(CalendarBookingJob.RecurringJobId, j => j.RunAsync(CancellationToken.None),
                CalendarBookingJob.Cron(calendars.Value.WorkerInterval));
        }
    }
}
