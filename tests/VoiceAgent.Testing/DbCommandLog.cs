using System.Collections.Concurrent;
using System.Diagnostics;

namespace VoiceAgent.Testing;

/// <summary>
/// Records the SQL of every Npgsql command (and batch) that runs on behalf of an HTTP request of a test host: Npgsql's
/// activities whose ancestor is ASP.NET Core's request activity. Background work (Hangfire polling, jobs) has no request
/// parent and is not recorded. Tests run one at a time, so one listener per test sees only its own hosts.
/// </summary>
public sealed class DbCommandLog : IDisposable
{
    private readonly ConcurrentQueue<string> commands = new();
    private readonly ActivityListener listener;

    public DbCommandLog()
    {
        listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Npgsql" or "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.Source.Name == "Npgsql" && InRequest(activity))
                {
                    commands.Enqueue(activity.GetTagItem("db.query.text") as string ?? activity.DisplayName);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
    }

    /// <summary>The commands recorded since the last call (the log is emptied).</summary>
    public IReadOnlyList<string> Take()
    {
        var taken = new List<string>();
        while (commands.TryDequeue(out var command))
        {
            taken.Add(command);
        }

        return taken;
    }

    public void Dispose() => listener.Dispose();

    private static bool InRequest(Activity activity)
    {
        for (var parent = activity.Parent; parent is not null; parent = parent.Parent)
        {
            if (parent.Source.Name == "Microsoft.AspNetCore")
            {
                return true;
            }
        }

        return false;
    }
}
