using System.Diagnostics;
using System.Globalization;

namespace VoiceAgent.Testing;

/// <summary>
/// Temporary folders of test fixtures, and what stops the processes that live in them, however the test process ends.
/// Every folder is <c>voiceagent-&lt;kind&gt;-*</c> under the temp folder and holds <c>owner.pid</c> (the test process) and,
/// when a fixture started a process, <c>cleanup.sh</c> (stops it). Three things run those scripts and delete the folder:
/// the fixture's own Dispose/Stop; a watchdog shell, one per test process, that waits for the test process to end
/// (also when the test host is killed, e.g. by <c>dotnet test</c> after the run or on cancellation, and exit handlers do
/// not run); and, as a last resort, the next test process that creates a fixture folder (<see cref="ReapLeftovers"/>).
/// </summary>
public static class FixtureDirectory
{
    public const string Prefix = "voiceagent-";
    public const string OwnerFile = "owner.pid";
    public const string CleanupFile = "cleanup.sh";

    private static readonly Lock Gate = new();
    private static bool watched;

    /// <summary>Creates <c>voiceagent-&lt;kind&gt;-*</c> owned by this process; the watchdog removes it if this process dies.</summary>
    public static string Create(string kind)
    {
        lock (Gate)
        {
            if (!watched)
            {
                ReapLeftovers();
                StartWatchdog();
                watched = true;
            }
        }

        var directory = Directory.CreateTempSubdirectory($"{Prefix}{kind}-").FullName;
        File.WriteAllText(Path.Combine(directory, OwnerFile), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        return directory;
    }

    /// <summary>Writes the shell commands that stop what a fixture started in <paramref name="directory"/>.</summary>
    public static void SetCleanup(string directory, string script) =>
        File.WriteAllText(Path.Combine(directory, CleanupFile), "#!/bin/sh\n" + script + "\n");

    /// <summary>Runs the folder's cleanup script (if any) and deletes the folder.</summary>
    public static void Remove(string directory)
    {
        try
        {
            if (File.Exists(Path.Combine(directory, CleanupFile)))
            {
                RunShell(Path.Combine(directory, CleanupFile));
            }
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    /// <summary>Stops a fixture's process (with its children) and removes its folder: what a fixture's Dispose does.</summary>
    public static async ValueTask StopAsync(Process process, string directory)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
        finally
        {
            process.Dispose();
            Remove(directory);
        }
    }

    /// <summary>Cleans up folders whose test process is gone (killed before its watchdog could run, or a machine restart).</summary>
    public static void ReapLeftovers()
    {
        foreach (var directory in Directory.GetDirectories(Path.GetTempPath(), Prefix + "*"))
        {
            var ownerFile = Path.Combine(directory, OwnerFile);
            try
            {
                if (!File.Exists(ownerFile)
                    || !int.TryParse(File.ReadAllText(ownerFile).Trim(), CultureInfo.InvariantCulture, out var owner)
                    || Directory.Exists($"/proc/{owner}"))
                {
                    continue;
                }

                Remove(directory);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                // Another process may be reaping the same folder right now; it is only a leftover.
            }
        }
    }

    /// <summary>
    /// One detached shell per test process: it polls until this process has ended and then cleans up every fixture folder
    /// this process owns. Double-forked and in its own session, so killing the test host's process tree does not take it
    /// along; its standard streams are /dev/null so nothing waits for it.
    /// </summary>
    private static void StartWatchdog()
    {
        var temp = Path.GetTempPath().TrimEnd('/');
        var pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        var script = $"""
            while kill -0 {pid} 2>/dev/null; do sleep 1; done
            for d in '{temp}'/{Prefix}*; do
              [ "$(cat "$d/{OwnerFile}" 2>/dev/null)" = "{pid}" ] || continue
              [ -f "$d/{CleanupFile}" ] && /bin/sh "$d/{CleanupFile}"
              rm -rf "$d"
            done
            """;
        var info = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("setsid /bin/sh -c \"$1\" voiceagent-fixture-watchdog </dev/null >/dev/null 2>&1 &");
        info.ArgumentList.Add("sh");
        info.ArgumentList.Add(script);
        using var process = Process.Start(info)!;
        process.WaitForExit();
    }

    private static void RunShell(string file)
    {
        var info = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(file);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} failed ({process.ExitCode}): {stderr.Result}{stdout.Result}");
        }
    }

    /// <summary>Quotes a value for a POSIX shell script.</summary>
    public static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
