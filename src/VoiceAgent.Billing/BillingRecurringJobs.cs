using Hangfire;
using Microsoft.Extensions.Options;
using VoiceAgent.Platform.Jobs;

namespace VoiceAgent.Billing;

/// <summary>The monthly billing run (<see cref="BillingOptions.Scheduler"/>), or none when the scheduler is off.</summary>
internal sealed class BillingRecurringJobs(IOptions<BillingOptions> billing, ILogger<BillingRecurringJobs> logger) : IRecurringJobs
{
    public void Register(IRecurringJobManager recurring)
    {
        var scheduler = billing.Value.Scheduler;
        if (!scheduler.Enabled)
        {
            recurring.RemoveIfExists(MonthlyBillingJob.RecurringJobId);
            return;
        }

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
}
