using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace VoiceAgent.Calendars;

/// <summary>
/// The Hangfire job behind deferred bookings: drains the calendar_bookings outbox, as a recurring job every
/// <see cref="CalendarOptions.WorkerInterval"/> and shortly after a call deferred one (<see cref="BookingOutboxSignal"/>).
/// The claim in <see cref="BookingOutbox"/> keeps two runs off the same booking. Also removes stale OAuth states.
/// </summary>
public sealed class CalendarBookingJob(BookingOutbox outbox, OAuthConnector oauth)
{
    public const string RecurringJobId = "calendar-bookings";

    // The next run is the retry (a failed booking has its own back-off in the outbox).
    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("Kalender: aufgeschobene Buchungen abschließen")]
    public async Task RunAsync(CancellationToken ct)
    {
        await outbox.ProcessDueAsync(ct);
        await oauth.RemoveStaleStatesAsync(ct);
    }

    /// <summary>A Hangfire cron for the interval: every n seconds below a minute, every n minutes below an hour, else hourly.</summary>
    public static string Cron(TimeSpan interval) => interval switch
    {
        { TotalSeconds: < 60 } => $"*/{Math.Max(1, (int)interval.TotalSeconds)} * * * * *",
        { TotalMinutes: < 60 } => $"*/{(int)interval.TotalMinutes} * * * *",
        _ => $"0 */{Math.Min(23, (int)interval.TotalHours)} * * *",
    };
}

/// <summary>Runs the booking job soon after a call deferred a booking (it also runs on its interval).</summary>
public sealed class BookingOutboxSignal(IServiceProvider services, IOptions<CalendarOptions> options)
{
    /// <summary>The call's turn usually commits within this; a job started earlier would not see the booking yet.</summary>
    public static readonly TimeSpan AfterCommit = TimeSpan.FromSeconds(2);

    public void Wake()
    {
        if (options.Value.RunWorker)
        {
            services.GetService<IBackgroundJobClient>()?.Schedule<CalendarBookingJob>(j => j.RunAsync(CancellationToken.None), AfterCommit);
        }
    }
}
