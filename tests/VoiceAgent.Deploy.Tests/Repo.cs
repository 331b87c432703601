using System.Diagnostics;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace VoiceAgent.Deploy.Tests;

/// <summary>Paths in the repository and the tools the checks run (node with deploy/check's npm packages).</summary>
public static partial class Repo
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(string relative) => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));

    public static string Read(string relative) => File.ReadAllText(PathOf(relative));

    /// <summary>The assembly a project publishes: its AssemblyName, else the project file's name.</summary>
    public static string AssemblyNameOf(string csproj)
    {
        var name = XDocument.Load(PathOf(csproj)).Descendants("AssemblyName").FirstOrDefault()?.Value;
        return string.IsNullOrWhiteSpace(name) ? Path.GetFileNameWithoutExtension(csproj) : name.Trim();
    }

    /// <summary>Runs a deploy/check script with node; the npm packages must be installed (the test project's build runs npm ci).</summary>
    public static (int ExitCode, string Output) Node(string script, params string[] args)
    {
        var check = PathOf("deploy/check");
        Assert.True(Directory.Exists(Path.Combine(check, "node_modules")),
            "deploy/check/node_modules is missing: build tests/VoiceAgent.Deploy.Tests (it runs npm ci there) or run `npm ci` in deploy/check");
        var start = new ProcessStartInfo("node") { WorkingDirectory = check, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"node {script} did not finish within 2 minutes");
        }

        return (process.ExitCode, (stdout.Result + stderr.Result).Trim());
    }

    /// <summary>
    /// Every setting name the documentation mentions (README.md and RUNBOOK.md, as <c>Section__Key</c> or
    /// <c>Section:Key</c>), normalized to <c>Section__Key</c> with numeric indexes as <c>N</c>. README abbreviates
    /// siblings as <c>…__Key</c>: they take the prefix of the full name before them on the same line.
    /// </summary>
    public static IReadOnlySet<string> DocumentedSettings()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var doc in new[] { "README.md", "RUNBOOK.md" })
        {
            foreach (var line in File.ReadLines(PathOf(doc)))
            {
                string? previous = null;
                foreach (Match m in SettingName().Matches(line))
                {
                    var name = m.Value.Replace(":", "__", StringComparison.Ordinal);
                    if (name.StartsWith('…'))
                    {
                        if (previous is null)
                        {
                            continue;
                        }

                        var tail = name.TrimStart('…')[2..];
                        var segments = previous.Split("__");
                        var tailSegments = tail.Split("__");
                        name = string.Join("__", segments.Take(Math.Max(1, segments.Length - tailSegments.Length)).Concat(tailSegments));
                    }
                    else
                    {
                        previous = name;
                    }

                    names.Add(Normalize(name));
                }
            }
        }

        return names;
    }

    /// <summary><c>A:B:0</c> and <c>A__B__0</c> → <c>A__B__N</c>.</summary>
    public static string Normalize(string setting) =>
        string.Join("__", setting.Replace(":", "__", StringComparison.Ordinal).Split("__")
            .Select(s => s.All(char.IsAsciiDigit) || s is "N" or "<plan>" or "<key>" ? "N" : s));

    /// <summary>Variables every .NET / ASP.NET Core process reads, not the app's own settings.</summary>
    public static bool IsPlatformVariable(string name) => name.StartsWith("ASPNETCORE_", StringComparison.Ordinal)
        || name.StartsWith("DOTNET_", StringComparison.Ordinal);

    [GeneratedRegex(@"(?:…|\b[A-Z][A-Za-z]+)(?:(?:__|:)(?:[A-Z][A-Za-z0-9]*|\d+|N|<[a-z]+>))+")]
    private static partial Regex SettingName();

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "VoiceAgent.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("VoiceAgent.sln not found above " + AppContext.BaseDirectory);
    }
}
