using System.Collections.Concurrent;
using Quartz;
using Quartz.Spi;

namespace VoiceAgent.Web.Billing;

/// <summary>Quartz creates jobs through this: each execution gets its own DI scope, disposed when Quartz returns the job.</summary>
public sealed class DiJobFactory(IServiceScopeFactory scopes) : IJobFactory
{
    private readonly ConcurrentDictionary<IJob, AsyncServiceScope> running = new(ReferenceEqualityComparer.Instance);

    public IJob NewJob(TriggerFiredBundle bundle, IScheduler scheduler)
    {
        var scope = scopes.CreateAsyncScope();
        try
        {
            var job = (IJob)scope.ServiceProvider.GetRequiredService(bundle.JobDetail.JobType);
            running[job] = scope;
            return job;
        }
        catch
        {
            scope.Dispose();
            throw;
        }
    }

    public void ReturnJob(IJob job)
    {
        if (running.TryRemove(job, out var scope))
        {
            scope.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
