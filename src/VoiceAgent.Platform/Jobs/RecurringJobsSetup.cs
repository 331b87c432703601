using Hangfire;
using VoiceAgent.Platform.Email;

namespace VoiceAgent.Platform.Jobs;

/// <summary>One module's recurring jobs (registered with <c>services.AddSingleton&lt;IRecurringJobs, …&gt;()</c> in its <c>AddX()</c>).</summary>
public interface IRecurringJobs
{
    /// <summary>Stores (or removes) the module's recurring jobs; called once at start, again after a failure.</summary>
    void Register(IRecurringJobManager recurring);
}

/// <summary>
/// Stores every module's recurring jobs at start (every instance does it; Hangfire keeps one row per job id, so they run
/// once per occurrence across all instances). If the database is not reachable yet, it tries again until it is.
/// </summary>
public sealed class RecurringJobsSetup(IRecurringJobManager recurring, IEnumerable<IRecurringJobs> modules, ILogger<RecurringJobsSetup> logger)
    : BackgroundService
{
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                foreach (var module in modules)
                {
                    module.Register(recurring);
                }

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
}

/// <summary>The mail outbox sweep: sends what an enqueue after commit missed (a crash between commit and enqueue).</summary>
internal sealed class MailRecurringJobs : IRecurringJobs
{
    public void Register(IRecurringJobManager recurring) =>
        recurring.AddOrUpdate<MailJobs>(MailJobs.SweepJobId, j => j.SweepAsync(CancellationToken.None), Cron.Minutely());
}
