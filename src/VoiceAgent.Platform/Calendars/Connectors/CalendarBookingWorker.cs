using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace VoiceAgent.Platform.Calendars;

/// <summary>
/// The background job behind deferred bookings: drains the calendar_bookings outbox every
/// <see cref="CalendarOptions.WorkerInterval"/>, or at once when a call deferred one on this node. Runs on every node;
/// the claim in <see cref="BookingOutbox"/> keeps two nodes off the same booking. Also removes stale OAuth states.
/// </summary>
public sealed class CalendarBookingWorker(IServiceScopeFactory scopes, BookingOutboxSignal signal, IOptions<CalendarOptions> options,
    ILogger<CalendarBookingWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.RunWorker)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<BookingOutbox>().ProcessDueAsync(stoppingToken);
                await scope.ServiceProvider.GetRequiredService<OAuthConnector>().RemoveStaleStatesAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(ex, "The calendar booking job failed; it tries again in {Interval}", options.Value.WorkerInterval);
            }

            try
            {
                await signal.WaitAsync(options.Value.WorkerInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
