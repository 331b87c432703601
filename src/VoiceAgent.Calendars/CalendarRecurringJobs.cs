using Hangfire;
using Microsoft.Extensions.Options;
using VoiceAgent.Platform.Jobs;

namespace VoiceAgent.Calendars;

/// <summary>The booking outbox worker. Tests that drive the outbox themselves turn it off; other instances keep theirs.</summary>
internal sealed class CalendarRecurringJobs(IOptions<CalendarOptions> calendars) : IRecurringJobs
{
    public void Register(IRecurringJobManager recurring)
    {
        if (calendars.Value.RunWorker)
        {
            recurring.AddOrUpdate<CalendarBookingJob>(CalendarBookingJob.RecurringJobId, j => j.RunAsync(CancellationToken.None),
                CalendarBookingJob.Cron(calendars.Value.WorkerInterval));
        }
    }
}
