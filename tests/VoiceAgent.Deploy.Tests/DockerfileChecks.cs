using System.Text.RegularExpressions;
using VoiceAgent.Web.Api;

namespace VoiceAgent.Deploy.Tests;

/// <summary>One instruction of a Dockerfile (continuation lines joined), with its first line number.</summary>
public sealed record Instruction(int Line, string Keyword, string Arguments);

/// <summary>
/// deploy/docker/Dockerfile: multi-stage, the runtime stage non-root with the liveness HEALTHCHECK, every COPY source in
/// the build context (the repository root), the published assemblies where the ENTRYPOINT, compose and the manifests
/// expect them, no secrets in ENV/ARG.
/// </summary>
public static partial class DockerfileChecks
{
    public const string File = "deploy/docker/Dockerfile";

    public static List<Instruction> Parse(string text)
    {
        var result = new List<Instruction>();
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var start = i + 1;
            var full = line;
            while (full.EndsWith('\\') && i + 1 < lines.Length)
            {
                var next = lines[++i].Trim();
                if (next.StartsWith('#'))
                {
                    continue;
                }

                full = full[..^1].TrimEnd() + " " + next;
            }

            var space = full.IndexOfAny([' ', '\t']);
            result.Add(new Instruction(start, (space < 0 ? full : full[..space]).ToUpperInvariant(), space < 0 ? "" : full[(space + 1)..].Trim()));
        }

        return result;
    }

    /// <param name="context">The build context folder (the repository root) COPY sources are relative to.</param>
    public static List<string> Check(string text, string file, string context)
    {
        var problems = new List<string>();
        var instructions = Parse(text);
        string Where(Instruction i) => $"{file}:{i.Line}: {i.Keyword}";

        var stages = instructions.Where(i => i.Keyword == "FROM").ToList();
        if (stages.Count < 2)
        {
            problems.Add($"{file}: FROM: a multi-stage build is expected (build stage and runtime stage), found {stages.Count} stage(s)");
            return problems;
        }

        var stageNames = new List<string>();
        var args = instructions.TakeWhile(i => i.Keyword != "FROM").Where(i => i.Keyword == "ARG")
            .Select(i => i.Arguments.Split('=', 2)).ToDictionary(a => a[0], a => a.Length > 1 ? a[1] : "");
        foreach (var from in stages)
        {
            var m = Regex.Match(from.Arguments, @"\s+AS\s+(\S+)$", RegexOptions.IgnoreCase);
            stageNames.Add(m.Success ? m.Groups[1].Value : "");
        }

        var runtimeStart = stages[^1];
        var runtime = instructions.SkipWhile(i => i != runtimeStart).ToList();
        var image = Expand(runtimeStart.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], args);
        if (!image.StartsWith("mcr.microsoft.com/dotnet/aspnet:", StringComparison.Ordinal))
        {
            problems.Add(Where(runtimeStart) + $": the runtime stage is the ASP.NET Core runtime image (mcr.microsoft.com/dotnet/aspnet:…), not {image}");
        }

        var build = instructions.Where(i => i.Keyword == "FROM" && Expand(i.Arguments, args).StartsWith("mcr.microsoft.com/dotnet/sdk:", StringComparison.Ordinal)).ToList();
        if (build.Count == 0)
        {
            problems.Add($"{file}: FROM: no build stage on the .NET SDK image (mcr.microsoft.com/dotnet/sdk:…)");
        }

        var user = runtime.LastOrDefault(i => i.Keyword == "USER");
        if (user is null)
        {
            problems.Add($"{file}:{runtimeStart.Line}: USER: the runtime stage must switch to a non-root user");
        }
        else if (user.Arguments.Split(':')[0] is "root" or "0")
        {
            problems.Add(Where(user) + $": the runtime stage runs as root ({user.Arguments})");
        }

        // COPY sources: stages by name, everything else from the build context.
        foreach (var copy in instructions.Where(i => i.Keyword is "COPY" or "ADD"))
        {
            var parts = copy.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
            var from = parts.FirstOrDefault(p => p.StartsWith("--from=", StringComparison.Ordinal))?["--from=".Length..];
            var paths = parts.Where(p => !p.StartsWith("--", StringComparison.Ordinal)).ToList();
            if (paths.Count < 2)
            {
                problems.Add(Where(copy) + ": source and destination are required");
                continue;
            }

            if (from is not null)
            {
                var index = stages.IndexOf(stages.LastOrDefault(s => s.Line < copy.Line)!);
                if (!stageNames.Take(index).Contains(from) && !from.Contains('/') && !from.Contains(':'))
                {
                    problems.Add(Where(copy) + $": --from={from} names no earlier stage");
                }

                continue;
            }

            foreach (var source in paths[..^1])
            {
                if (!Path.Exists(Path.Combine(context, source.TrimEnd('/'))))
                {
                    problems.Add(Where(copy) + $": source {source} does not exist in the build context (the repository root)");
                }
            }
        }

        // Published assemblies: `dotnet publish PROJECT -o OUT` in a build stage, copied to the runtime stage.
        var published = new Dictionary<string, string>(StringComparer.Ordinal); // runtime path of the dll → project
        foreach (Match m in Regex.Matches(string.Join('\n', instructions.Where(i => i.Keyword == "RUN").Select(i => i.Arguments)),
                     @"dotnet publish (\S+\.csproj)\b[^&\n]*?-o (\S+)"))
        {
            var project = m.Groups[1].Value;
            var output = m.Groups[2].Value.TrimEnd('/');
            if (!System.IO.File.Exists(Path.Combine(context, project)))
            {
                problems.Add($"{file}: RUN dotnet publish: project {project} does not exist");
                continue;
            }

            foreach (var copy in runtime.Where(i => i.Keyword == "COPY" && i.Arguments.Contains("--from=", StringComparison.Ordinal)))
            {
                var paths = copy.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(p => !p.StartsWith("--", StringComparison.Ordinal)).ToList();
                if (paths.Count == 2 && paths[0].TrimEnd('/') == output)
                {
                    published[$"{paths[1].TrimEnd('/')}/{Repo.AssemblyNameOf(project)}.dll"] = project;
                }
            }
        }

        var entrypoint = runtime.LastOrDefault(i => i.Keyword == "ENTRYPOINT");
        var exec = entrypoint is null ? [] : ExecForm(entrypoint.Arguments);
        if (entrypoint is null || exec.Count < 2 || exec[0] != "dotnet")
        {
            problems.Add($"{file}: ENTRYPOINT: the runtime stage starts [\"dotnet\", \"<published web dll>\"] (exec form)");
        }
        else if (!published.TryGetValue(exec[1], out var project) || !project.EndsWith("VoiceAgent.Web.csproj", StringComparison.Ordinal))
        {
            problems.Add(Where(entrypoint) + $": {exec[1]} is not the web app's published assembly (published: {string.Join(", ", published.Keys)})");
        }

        foreach (var expected in new[] { ("src/VoiceAgent.Web/VoiceAgent.Web.csproj", KubernetesChecks.WebDll), ("src/VoiceAgent.Cli/VoiceAgent.Cli.csproj", KubernetesChecks.CliDll) })
        {
            var dll = string.Format(expected.Item2, Repo.AssemblyNameOf(expected.Item1));
            if (!published.ContainsKey(dll))
            {
                problems.Add($"{file}: COPY --from: {dll} (what compose.yaml and the Kubernetes manifests run) is not published into the runtime stage");
            }
        }

        var health = runtime.LastOrDefault(i => i.Keyword == "HEALTHCHECK");
        if (health is null || !health.Arguments.Contains($":8080{HealthApi.LivenessPath}\"", StringComparison.Ordinal))
        {
            problems.Add($"{file}: HEALTHCHECK: the runtime stage checks {HealthApi.LivenessPath} on port 8080");
        }

        if (!runtime.Any(i => i.Keyword == "ENV" && i.Arguments.Contains("ASPNETCORE_URLS=http://+:8080", StringComparison.Ordinal)))
        {
            problems.Add($"{file}: ENV: ASPNETCORE_URLS=http://+:8080 in the runtime stage");
        }

        foreach (var variable in instructions.Where(i => i.Keyword is "ENV" or "ARG"))
        {
            foreach (Match m in Regex.Matches(variable.Arguments, @"(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)(?:=|\s|$)"))
            {
                if (KubernetesChecks.LooksSecret(m.Groups[1].Value))
                {
                    problems.Add(Where(variable) + $": {m.Groups[1].Value}: no secret is baked into the image (set it at run time)");
                }
            }
        }

        return problems;
    }

    private static List<string> ExecForm(string arguments) =>
        arguments.StartsWith('[') ? Regex.Matches(arguments, "\"((?:[^\"\\\\]|\\\\.)*)\"").Select(m => m.Groups[1].Value).ToList() : [];

    private static string Expand(string text, Dictionary<string, string> args) =>
        Regex.Replace(text, @"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", m => args.TryGetValue(m.Groups[1].Value, out var v) ? v : m.Value);
}
