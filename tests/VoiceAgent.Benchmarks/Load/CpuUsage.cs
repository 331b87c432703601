using System.Diagnostics;
using System.Globalization;

namespace VoiceAgent.Benchmarks.Load;

/// <summary>
/// CPU used during a measurement, as a share of all cores: by this process (client and servers together), by a
/// companion process tree of the measurement (the private PostgreSQL), and by everything else on the machine (from
/// /proc; NaN elsewhere). Other work on a 2-core machine shows up directly as jitter and latency, so every figure is
/// reported with it.
/// </summary>
internal sealed class CpuUsage
{
    /// <summary>Other processes above this share of all cores make a measurement disturbed.</summary>
    public const double QuietOthersPercent = 10;

    // /proc counts in clock ticks (USER_HZ), 100 per second on Linux.
    private const double MsPerTick = 10;

    private readonly Process process = Process.GetCurrentProcess();
    private readonly int? companion;
    private readonly TimeSpan processBefore;
    private readonly long companionBefore;
    private readonly (long Busy, long Total)? machineBefore;
    private readonly Stopwatch wall = Stopwatch.StartNew();

    private CpuUsage(int? companion)
    {
        this.companion = companion;
        processBefore = process.TotalProcessorTime;
        companionBefore = companion is { } pid ? ProcessTreeTicks(pid) : 0;
        machineBefore = ReadMachine();
    }

    /// <param name="companion">The root of a process tree that belongs to the measurement (PostgreSQL's postmaster).</param>
    public static CpuUsage Start(int? companion = null) => new(companion);

    /// <summary>Waits (at most <paramref name="limit"/>) until other processes used less than <see cref="QuietOthersPercent"/>
    /// over one second; false when the machine stayed busy.</summary>
    public static async Task<bool> WaitForQuietAsync(TimeSpan limit)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < limit)
        {
            var sample = Start();
            await Task.Delay(TimeSpan.FromSeconds(1));
            if (!(sample.Stop().OthersPercent >= QuietOthersPercent))
            {
                return true;
            }
        }

        return false;
    }

    public CpuShare Stop()
    {
        process.Refresh();
        var ownMs = (process.TotalProcessorTime - processBefore).TotalMilliseconds;
        var companionMs = companion is { } pid ? (ProcessTreeTicks(pid) - companionBefore) * MsPerTick : 0;
        var capacityMs = wall.Elapsed.TotalMilliseconds * Environment.ProcessorCount;
        if (machineBefore is not { } before || ReadMachine() is not { } after || after.Total <= before.Total)
        {
            return new CpuShare(ownMs / capacityMs * 100, companionMs / capacityMs * 100, double.NaN);
        }

        var busyMs = (after.Busy - before.Busy) * MsPerTick;
        var totalMs = (after.Total - before.Total) * MsPerTick;
        return new CpuShare(ownMs / capacityMs * 100, companionMs / capacityMs * 100, Math.Max(0, (busyMs - ownMs - companionMs) / totalMs * 100));
    }

    private static (long Busy, long Total)? ReadMachine()
    {
        if (!File.Exists("/proc/stat"))
        {
            return null;
        }

        // cpu  user nice system idle iowait irq softirq steal …
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        var total = fields.Take(8).Sum();
        var idle = fields[3] + fields[4];
        return (total - idle, total);
    }

    // The root's own and reaped children's time plus its live children's time; backends that ended during the
    // measurement moved into the root's cutime/cstime.
    private static long ProcessTreeTicks(int root)
    {
        long ticks = 0;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                || ReadStat(pid) is not { } stat)
            {
                continue;
            }

            if (pid == root)
            {
                ticks += stat.UserTicks + stat.SystemTicks + stat.ChildrenUserTicks + stat.ChildrenSystemTicks;
            }
            else if (stat.ParentPid == root)
            {
                ticks += stat.UserTicks + stat.SystemTicks;
            }
        }

        return ticks;
    }

    private static (int ParentPid, long UserTicks, long SystemTicks, long ChildrenUserTicks, long ChildrenSystemTicks)? ReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null; // the process ended meanwhile
        }

        // pid (comm) state ppid … utime(14) stime(15) cutime(16) cstime(17); comm may contain spaces and parentheses.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        long Field(int number) => long.Parse(fields[number - 3], CultureInfo.InvariantCulture);
        return ((int)Field(4), Field(14), Field(15), Field(16), Field(17));
    }
}
