using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using VoiceAgent.Web.Api;

namespace VoiceAgent.Deploy.Tests;

/// <summary>
/// deploy/docker/compose.yaml beyond the Compose schema: everything it names exists (services, volumes, secrets,
/// networks, bind-mounted folders, build files), the apps have the liveness healthcheck and wait for the migration,
/// settings are documented, and no secret is written literally (only ${…} from .env, or a Docker secret).
/// </summary>
public static partial class ComposeChecks
{
    public const string File = "deploy/docker/compose.yaml";

    public static List<string> Check(JsonObject compose, string file, string composeDir)
    {
        var problems = new List<string>();
        var documented = Repo.DocumentedSettings();
        var services = compose["services"] as JsonObject ?? [];
        var volumes = Names(compose["volumes"]);
        var secrets = Names(compose["secrets"]);
        var networks = Names(compose["networks"]);
        var cliDll = string.Format(KubernetesChecks.CliDll, Repo.AssemblyNameOf("src/VoiceAgent.Cli/VoiceAgent.Cli.csproj"));
        var appServices = new List<string>();
        string? migrate = null;

        foreach (var (name, node) in services)
        {
            var service = node as JsonObject ?? [];
            string Where(string path) => $"{file}: services/{name}{path}";

            foreach (var dependency in DependsOn(service))
            {
                if (!services.ContainsKey(dependency.Name))
                {
                    problems.Add(Where($"/depends_on/{dependency.Name}") + ": no such service");
                }
            }

            foreach (var volume in service["volumes"] as JsonArray ?? [])
            {
                var source = volume is JsonObject v ? v["source"]?.ToString() : volume?.ToString().Split(':')[0];
                if (string.IsNullOrEmpty(source))
                {
                    continue;
                }

                if (source.StartsWith('.') || source.StartsWith('/'))
                {
                    if (!Path.Exists(Path.GetFullPath(Path.Combine(composeDir, source))))
                    {
                        problems.Add(Where($"/volumes/{source}") + ": the bind-mounted path does not exist in the repository");
                    }
                }
                else if (!volumes.Contains(source))
                {
                    problems.Add(Where($"/volumes/{source}") + ": no top-level volume of that name");
                }
            }

            foreach (var secret in service["secrets"] as JsonArray ?? [])
            {
                var source = secret is JsonObject s ? s["source"]?.ToString() : secret?.ToString();
                if (source is null || !secrets.Contains(source))
                {
                    problems.Add(Where($"/secrets/{source}") + ": no top-level secret of that name");
                }
            }

            var serviceNetworks = service["networks"] is JsonObject map ? map.Select(p => p.Key) : (service["networks"] as JsonArray ?? []).Select(n => n!.ToString());
            foreach (var network in serviceNetworks)
            {
                if (!networks.Contains(network))
                {
                    problems.Add(Where($"/networks/{network}") + ": no top-level network of that name");
                }
            }

            if (service["build"] is JsonObject build)
            {
                var context = Path.GetFullPath(Path.Combine(composeDir, build["context"]?.ToString() ?? "."));
                var dockerfile = Path.Combine(context, build["dockerfile"]?.ToString() ?? "Dockerfile");
                if (!System.IO.File.Exists(dockerfile))
                {
                    problems.Add(Where("/build/dockerfile") + $": {dockerfile} does not exist");
                }
            }

            var environment = Environment(service);
            foreach (var (key, value) in environment)
            {
                if (KubernetesChecks.LooksSecret(key) || value.Contains("Password=", StringComparison.OrdinalIgnoreCase))
                {
                    var literal = LiteralSecret(key, value);
                    if (literal is not null)
                    {
                        problems.Add(Where($"/environment/{key}") + $": {literal}: secrets come from .env (${{NAME}}) or a Docker secret, never literally");
                    }
                }
            }

            var image = service["image"]?.ToString() ?? "";
            if (!image.StartsWith("voiceagent:", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var key in environment.Keys)
            {
                KubernetesChecks.CheckDocumented(problems, documented, Where($"/environment/{key}"), key);
            }

            var entrypoint = Strings(service["entrypoint"]);
            if (entrypoint.Count > 0)
            {
                migrate = name;
                if (!entrypoint.SequenceEqual(["dotnet", cliDll]) || !Strings(service["command"]).SequenceEqual(["db", "migrate"]))
                {
                    problems.Add(Where("/entrypoint") + $": the one-shot migration runs [\"dotnet\", \"{cliDll}\"] with command [db, migrate]");
                }

                if (!environment.ContainsKey("Database__OwnerConnectionString"))
                {
                    problems.Add(Where("/environment") + ": the migration needs Database__OwnerConnectionString");
                }

                continue;
            }

            appServices.Add(name);
            var test = string.Join(' ', Strings(service["healthcheck"]?["test"]));
            if (!test.Contains($"http://127.0.0.1:8080{HealthApi.LivenessPath}", StringComparison.Ordinal))
            {
                problems.Add(Where("/healthcheck/test") + $": the app's healthcheck asks {HealthApi.LivenessPath} on port 8080");
            }

            foreach (var required in new[] { "Database__AppConnectionString", "DataProtection__Certificate__Path", "DataProtection__Certificate__Password", "Privacy__PseudonymKey" })
            {
                if (!environment.ContainsKey(required))
                {
                    problems.Add(Where("/environment") + $": {required} is required in Production");
                }
            }

            if (environment.ContainsKey("Database__OwnerConnectionString"))
            {
                problems.Add(Where("/environment/Database__OwnerConnectionString") + ": only the migration gets the owner connection");
            }
        }

        if (appServices.Count + appServices.Sum(a => Math.Max(0, (int)(services[a]?["deploy"]?["replicas"]?.GetValue<long>() ?? 1) - 1)) < 2)
        {
            problems.Add($"{file}: services: two app instances are expected (app1/app2 or deploy.replicas: 2)");
        }

        if (migrate is null)
        {
            problems.Add($"{file}: services: no one-shot migration service (entrypoint the CLI, command db migrate)");
        }
        else
        {
            foreach (var app in appServices)
            {
                if (DependsOn(services[app] as JsonObject ?? []).All(d => d.Name != migrate || d.Condition != "service_completed_successfully"))
                {
                    problems.Add($"{file}: services/{app}/depends_on/{migrate}: the app starts after the migration completed (condition: service_completed_successfully)");
                }
            }
        }

        // The proxy forwards to app services that exist, and the apps trust exactly its address.
        foreach (var (name, node) in services)
        {
            var command = Strings(node?["command"]);
            var upstreams = command.Select((arg, i) => (arg, i)).Where(p => p.arg == "--upstream" && p.i + 1 < command.Count).Select(p => command[p.i + 1]).ToList();
            if (upstreams.Count == 0)
            {
                continue;
            }

            foreach (var upstream in upstreams)
            {
                var host = upstream.Split(':')[0];
                if (!appServices.Contains(host))
                {
                    problems.Add($"{file}: services/{name}/command/--upstream {upstream}: no app service \"{host}\"");
                }
            }

            var address = (node?["networks"] as JsonObject)?.Select(p => p.Value?["ipv4_address"]?.ToString()).FirstOrDefault(a => a is not null);
            foreach (var app in appServices)
            {
                if (address is null || !Environment(services[app] as JsonObject ?? []).TryGetValue("ForwardedHeaders__KnownProxies__0", out var trusted) || trusted != address)
                {
                    problems.Add($"{file}: services/{app}/environment/ForwardedHeaders__KnownProxies__0: must be the proxy's fixed address ({address ?? "none set"})");
                }
            }
        }

        return problems;
    }

    /// <summary>The literal part of a secret value, or null when it is a reference (${NAME}, /run/secrets/…).</summary>
    private static string? LiteralSecret(string key, string value)
    {
        if (value.Contains("Password=", StringComparison.OrdinalIgnoreCase))
        {
            var after = Regex.Match(value, "Password=([^;]*)", RegexOptions.IgnoreCase).Groups[1].Value;
            return after.StartsWith("${", StringComparison.Ordinal) ? null : "Password=" + Mask(after);
        }

        if (key.EndsWith("__Path", StringComparison.Ordinal) && value.StartsWith("/run/secrets/", StringComparison.Ordinal))
        {
            return null;
        }

        return WholeReference().IsMatch(value) ? null : Mask(value);
    }

    private static string Mask(string value) => value.Length <= 2 ? "…" : value[..2] + "…";

    public static Dictionary<string, string> Environment(JsonObject service)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (service["environment"] is JsonObject map)
        {
            foreach (var (k, v) in map)
            {
                result[k] = v?.ToString() ?? "";
            }
        }
        else
        {
            foreach (var entry in service["environment"] as JsonArray ?? [])
            {
                var text = entry?.ToString() ?? "";
                var eq = text.IndexOf('=');
                result[eq < 0 ? text : text[..eq]] = eq < 0 ? "" : text[(eq + 1)..];
            }
        }

        return result;
    }

    private static IEnumerable<(string Name, string? Condition)> DependsOn(JsonObject service) => service["depends_on"] switch
    {
        JsonObject map => map.Select(p => (p.Key, p.Value?["condition"]?.ToString())),
        JsonArray list => list.Select(n => (n!.ToString(), (string?)null)),
        _ => [],
    };

    private static HashSet<string> Names(JsonNode? node) => (node as JsonObject ?? []).Select(p => p.Key).ToHashSet(StringComparer.Ordinal);

    private static List<string> Strings(JsonNode? node) => node switch
    {
        JsonArray list => list.Select(n => n?.ToString() ?? "").ToList(),
        JsonValue value => value.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList(),
        _ => [],
    };

    [GeneratedRegex(@"^\$\{[A-Z0-9_]+(:?[-?][^}]*)?\}$")]
    private static partial Regex WholeReference();
}
