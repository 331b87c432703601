using System.Text;
using System.Text.Json.Nodes;
using VoiceAgent.Web.Api;

namespace VoiceAgent.Deploy.Tests;

/// <summary>One YAML document of a manifest file.</summary>
public sealed record Manifest(string File, JsonObject Doc)
{
    public string Kind => Doc["kind"]?.GetValue<string>() ?? "?";

    public string Name => Doc["metadata"]?["name"]?.GetValue<string>() ?? "?";

    public string Where(string path) => $"{File}: {Kind}/{Name}: {path}";

    public static IReadOnlyList<Manifest> Load(string file, string text) =>
        Yaml.Documents(text).OfType<JsonObject>().Select(d => new Manifest(file, d)).ToList();
}

/// <summary>
/// What the Kubernetes schemas cannot know: the manifests against each other and against the app — probes on the
/// endpoints the app maps, settings the documentation names, Secret/ConfigMap keys that exist, the Ingress on the
/// Service's port with affinity and WebSocket timeouts, the published assemblies, non-root with a read-only root.
/// Each problem names the file, the object and the field.
/// </summary>
public static class KubernetesChecks
{
    public const string WebDll = "/app/web/{0}.dll";
    public const string CliDll = "/app/cli/{0}.dll";

    public static IReadOnlyList<Manifest> LoadAll() =>
        Directory.GetFiles(Repo.PathOf("deploy/k8s"), "*.yaml").Order(StringComparer.Ordinal)
            .SelectMany(f => Manifest.Load("deploy/k8s/" + Path.GetFileName(f), File.ReadAllText(f)))
            .ToList();

    public static List<string> Check(IReadOnlyList<Manifest> manifests)
    {
        var problems = new List<string>();
        var documented = Repo.DocumentedSettings();
        var webDll = string.Format(WebDll, Repo.AssemblyNameOf("src/VoiceAgent.Web/VoiceAgent.Web.csproj"));
        var cliDll = string.Format(CliDll, Repo.AssemblyNameOf("src/VoiceAgent.Cli/VoiceAgent.Cli.csproj"));
        var secrets = manifests.Where(m => m.Kind == "Secret").ToDictionary(m => m.Name, m => Keys(m.Doc, "data", "stringData"));
        var configMaps = manifests.Where(m => m.Kind == "ConfigMap").ToDictionary(m => m.Name, m => Keys(m.Doc, "data", "binaryData"));
        var services = manifests.Where(m => m.Kind == "Service").ToList();
        var workloads = manifests.Where(m => m.Kind is "Deployment" or "Job").ToList();

        foreach (var secret in manifests.Where(m => m.Kind == "Secret"))
        {
            foreach (var (key, value) in Entries(secret.Doc, "stringData").Concat(Entries(secret.Doc, "data")
                         .Select(e => (Key: e.Key, Value: Decode(e.Value)))))
            {
                if (!value.Contains("CHANGE-ME", StringComparison.Ordinal))
                {
                    problems.Add(secret.Where($"/data/{key}") + ": a Secret in the repository holds placeholders only (CHANGE-ME)");
                }
            }
        }

        foreach (var workload in workloads)
        {
            var podPath = workload.Kind == "Deployment" || workload.Kind == "Job" ? "/spec/template/spec" : "/spec";
            var pod = workload.Doc["spec"]?["template"]?["spec"] as JsonObject;
            if (pod is null)
            {
                problems.Add(workload.Where(podPath) + ": no pod template");
                continue;
            }

            var podLabels = Labels(workload.Doc["spec"]?["template"]?["metadata"]?["labels"]);
            if (workload.Kind == "Deployment")
            {
                var selector = Labels(workload.Doc["spec"]?["selector"]?["matchLabels"]);
                if (selector.Count == 0 || selector.Any(l => !podLabels.Contains(l)))
                {
                    problems.Add(workload.Where("/spec/selector/matchLabels") + ": does not match the pod template's labels");
                }
            }

            if (pod["securityContext"]?["runAsNonRoot"]?.GetValue<bool>() != true)
            {
                problems.Add(workload.Where(podPath + "/securityContext/runAsNonRoot") + ": must be true");
            }

            var volumes = (pod["volumes"] as JsonArray ?? []).OfType<JsonObject>().ToDictionary(v => v["name"]!.GetValue<string>());
            foreach (var (volumeName, volume) in volumes)
            {
                if (volume["secret"] is JsonObject secretVolume)
                {
                    var name = secretVolume["secretName"]?.GetValue<string>() ?? "";
                    if (!secrets.TryGetValue(name, out var keys))
                    {
                        problems.Add(workload.Where($"{podPath}/volumes/{volumeName}/secret/secretName") + $": no Secret \"{name}\" in the manifests (secret.template.yaml)");
                        continue;
                    }

                    foreach (var item in (secretVolume["items"] as JsonArray ?? []).OfType<JsonObject>())
                    {
                        var key = item["key"]?.GetValue<string>() ?? "";
                        if (!keys.Contains(key))
                        {
                            problems.Add(workload.Where($"{podPath}/volumes/{volumeName}/secret/items/{key}") + $": Secret \"{name}\" defines no key \"{key}\"");
                        }
                    }
                }
            }

            var containers = (pod["containers"] as JsonArray ?? []).OfType<JsonObject>().ToList();
            for (var i = 0; i < containers.Count; i++)
            {
                var c = containers[i];
                var at = $"{podPath}/containers/{i}";
                var ports = (c["ports"] as JsonArray ?? []).OfType<JsonObject>().ToList();
                var mounts = (c["volumeMounts"] as JsonArray ?? []).OfType<JsonObject>().ToList();

                // The published assemblies: the web app for the Deployment, the CLI's `db migrate` for the Job.
                var command = Strings(c["command"]);
                var args = Strings(c["args"]);
                var expected = workload.Kind == "Deployment" ? webDll : cliDll;
                if (command.Count < 2 || command[0] != "dotnet" || command[1] != expected)
                {
                    problems.Add(workload.Where(at + "/command") + $": must run [\"dotnet\", \"{expected}\"] (the published assembly), not [{string.Join(", ", command)}]");
                }

                if (workload.Kind == "Job" && !args.SequenceEqual(["db", "migrate"]))
                {
                    problems.Add(workload.Where(at + "/args") + ": the migration Job runs `db migrate`");
                }

                // Settings: every variable documented; references to keys that exist.
                var env = (c["env"] as JsonArray ?? []).OfType<JsonObject>().ToList();
                var names = new HashSet<string>(StringComparer.Ordinal);
                foreach (var e in env)
                {
                    var name = e["name"]?.GetValue<string>() ?? "";
                    names.Add(name);
                    CheckDocumented(problems, documented, workload.Where($"{at}/env/{name}"), name);
                    if (e["valueFrom"]?["secretKeyRef"] is JsonObject secretRef)
                    {
                        CheckKey(problems, secrets, "Secret", secretRef, workload.Where($"{at}/env/{name}/valueFrom/secretKeyRef"));
                    }

                    if (e["valueFrom"]?["configMapKeyRef"] is JsonObject mapRef)
                    {
                        CheckKey(problems, configMaps, "ConfigMap", mapRef, workload.Where($"{at}/env/{name}/valueFrom/configMapKeyRef"));
                    }

                    if (e["value"] is JsonNode literal && LooksSecret(name) && !string.IsNullOrEmpty(literal.ToString()))
                    {
                        problems.Add(workload.Where($"{at}/env/{name}/value") + ": a secret setting comes from a Secret (secretKeyRef), never a literal");
                    }
                }

                foreach (var from in (c["envFrom"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    var (kind, source, refName) = from["configMapRef"] is JsonObject cm ? ("ConfigMap", configMaps, cm["name"]?.GetValue<string>())
                        : ("Secret", secrets, from["secretRef"]?["name"]?.GetValue<string>());
                    if (refName is null || !source.TryGetValue(refName, out var keys))
                    {
                        problems.Add(workload.Where($"{at}/envFrom/{refName}") + $": no {kind} \"{refName}\" in the manifests");
                        continue;
                    }

                    foreach (var key in keys)
                    {
                        names.Add(key);
                        CheckDocumented(problems, documented, workload.Where($"{at}/envFrom/{refName}/{key}"), key);
                    }
                }

                if (workload.Kind == "Job" && !names.Contains("Database__OwnerConnectionString"))
                {
                    problems.Add(workload.Where(at + "/env") + ": the migration Job needs Database__OwnerConnectionString");
                }

                if (workload.Kind == "Deployment")
                {
                    foreach (var required in new[] { "Database__AppConnectionString", "DataProtection__Certificate__Path", "DataProtection__Certificate__Password", "Privacy__PseudonymKey" })
                    {
                        if (!names.Contains(required))
                        {
                            problems.Add(workload.Where(at + "/env") + $": {required} is required in Production");
                        }
                    }

                    if (names.Contains("Database__OwnerConnectionString"))
                    {
                        problems.Add(workload.Where(at + "/env/Database__OwnerConnectionString") + ": the app never gets the owner connection (only the migration Job)");
                    }

                    // Probes: readiness on /api/health, liveness on /api/health/live, on a declared port.
                    CheckProbe(problems, workload, c, at, "readinessProbe", HealthApi.ReadinessPath, ports);
                    CheckProbe(problems, workload, c, at, "livenessProbe", HealthApi.LivenessPath, ports);
                    if (c["startupProbe"] is not null)
                    {
                        CheckProbe(problems, workload, c, at, "startupProbe", HealthApi.LivenessPath, ports);
                    }

                    if (c["resources"]?["requests"] is null || c["resources"]?["limits"]?["memory"] is null)
                    {
                        problems.Add(workload.Where(at + "/resources") + ": requests and a memory limit are required");
                    }

                    // The key ring certificate's path is inside a mount of a Secret volume.
                    var certPath = ConfigValue(manifests, env, c, "DataProtection__Certificate__Path");
                    if (certPath is not null && !mounts.Any(m => certPath.StartsWith(m["mountPath"]!.GetValue<string>().TrimEnd('/') + "/", StringComparison.Ordinal)
                            && volumes.TryGetValue(m["name"]!.GetValue<string>(), out var v) && v["secret"] is not null))
                    {
                        problems.Add(workload.Where(at + "/volumeMounts") + $": DataProtection__Certificate__Path {certPath} is not inside a mounted Secret");
                    }
                }

                if (c["securityContext"]?["readOnlyRootFilesystem"]?.GetValue<bool>() != true)
                {
                    problems.Add(workload.Where(at + "/securityContext/readOnlyRootFilesystem") + ": must be true");
                }

                if (c["securityContext"]?["allowPrivilegeEscalation"]?.GetValue<bool>() != false)
                {
                    problems.Add(workload.Where(at + "/securityContext/allowPrivilegeEscalation") + ": must be false");
                }

                var tmp = mounts.FirstOrDefault(m => m["mountPath"]?.GetValue<string>() == "/tmp");
                if (tmp is null || !volumes.TryGetValue(tmp["name"]!.GetValue<string>(), out var tmpVolume) || tmpVolume["emptyDir"] is null)
                {
                    problems.Add(workload.Where(at + "/volumeMounts") + ": /tmp must be an emptyDir (the root filesystem is read-only)");
                }

                foreach (var mount in mounts)
                {
                    var name = mount["name"]?.GetValue<string>() ?? "";
                    if (!volumes.ContainsKey(name))
                    {
                        problems.Add(workload.Where($"{at}/volumeMounts/{name}") + ": no such volume in the pod");
                    }
                }
            }
        }

        // Services select the Deployment's pods and target a declared container port.
        var deployments = manifests.Where(m => m.Kind == "Deployment").ToList();
        foreach (var service in services)
        {
            var selector = Labels(service.Doc["spec"]?["selector"]);
            var targets = deployments.Where(d => selector.Count > 0 && selector.All(Labels(d.Doc["spec"]?["template"]?["metadata"]?["labels"]).Contains)).ToList();
            if (targets.Count == 0)
            {
                problems.Add(service.Where("/spec/selector") + ": selects no Deployment's pods");
                continue;
            }

            var containerPorts = targets.SelectMany(d => (d.Doc["spec"]?["template"]?["spec"]?["containers"] as JsonArray ?? []).OfType<JsonObject>())
                .SelectMany(c => (c["ports"] as JsonArray ?? []).OfType<JsonObject>()).ToList();
            foreach (var port in (service.Doc["spec"]?["ports"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var target = port["targetPort"]?.ToString();
                if (target is not null && !containerPorts.Any(p => p["name"]?.ToString() == target || p["containerPort"]?.ToString() == target))
                {
                    problems.Add(service.Where($"/spec/ports/{port["name"]}/targetPort") + $": no container port \"{target}\" in the selected pods");
                }
            }
        }

        foreach (var budget in manifests.Where(m => m.Kind == "PodDisruptionBudget"))
        {
            var selector = Labels(budget.Doc["spec"]?["selector"]?["matchLabels"]);
            if (!deployments.Any(d => selector.Count > 0 && selector.All(Labels(d.Doc["spec"]?["template"]?["metadata"]?["labels"]).Contains)))
            {
                problems.Add(budget.Where("/spec/selector/matchLabels") + ": selects no Deployment's pods");
            }
        }

        foreach (var hpa in manifests.Where(m => m.Kind == "HorizontalPodAutoscaler"))
        {
            var target = hpa.Doc["spec"]?["scaleTargetRef"];
            if (target?["kind"]?.GetValue<string>() != "Deployment" || deployments.All(d => d.Name != target["name"]?.GetValue<string>()))
            {
                problems.Add(hpa.Where("/spec/scaleTargetRef") + ": names no Deployment of the manifests");
            }

            if (hpa.Doc["spec"]?["minReplicas"]?.GetValue<long>() is not >= 2)
            {
                problems.Add(hpa.Where("/spec/minReplicas") + ": at least 2 (one instance may be drained at any time)");
            }
        }

        CheckIngresses(problems, manifests, services);
        return problems;
    }

    private static void CheckIngresses(List<string> problems, IReadOnlyList<Manifest> manifests, List<Manifest> services)
    {
        var ingresses = manifests.Where(m => m.Kind == "Ingress").ToList();
        var routed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var ingress in ingresses)
        {
            var annotations = ingress.Doc["metadata"]?["annotations"] as JsonObject ?? [];
            string? Annotation(string name) => annotations["nginx.ingress.kubernetes.io/" + name]?.ToString();
            if (Annotation("affinity") != "cookie" || string.IsNullOrEmpty(Annotation("session-cookie-name")))
            {
                problems.Add(ingress.Where("/metadata/annotations/nginx.ingress.kubernetes.io/affinity") + ": cookie affinity is required (a Blazor circuit lives in one pod)");
            }

            if (Annotation("proxy-body-size") != "1m")
            {
                problems.Add(ingress.Where("/metadata/annotations/nginx.ingress.kubernetes.io/proxy-body-size") + ": 1m, the app's own request body limit");
            }

            var rules = (ingress.Doc["spec"]?["rules"] as JsonArray ?? []).OfType<JsonObject>().ToList();
            foreach (var rule in rules)
            {
                foreach (var path in (rule["http"]?["paths"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    var p = path["path"]?.GetValue<string>() ?? "";
                    routed.Add(p);
                    var at = ingress.Where($"/spec/rules/{rule["host"]}/http/paths[{p}]/backend/service");
                    var backend = path["backend"]?["service"];
                    var service = services.FirstOrDefault(s => s.Name == backend?["name"]?.GetValue<string>());
                    if (service is null)
                    {
                        problems.Add(at + "/name" + $": no Service \"{backend?["name"]}\" in the manifests");
                        continue;
                    }

                    var port = backend!["port"];
                    var servicePorts = (service.Doc["spec"]?["ports"] as JsonArray ?? []).OfType<JsonObject>().ToList();
                    if (!servicePorts.Any(sp => (port?["name"] is JsonNode n && sp["name"]?.ToString() == n.ToString())
                            || (port?["number"] is JsonNode num && sp["port"]?.ToString() == num.ToString())))
                    {
                        problems.Add(at + "/port" + $": Service \"{service.Name}\" has no port {port?.ToJsonString()}");
                    }

                    if (p is "/_blazor" or "/telephony/media")
                    {
                        foreach (var timeout in new[] { "proxy-read-timeout", "proxy-send-timeout" })
                        {
                            if (!int.TryParse(Annotation(timeout), out var seconds) || seconds < 3600)
                            {
                                problems.Add(ingress.Where($"/metadata/annotations/nginx.ingress.kubernetes.io/{timeout}") + $": WebSockets ({p}) need at least 3600 s, not {Annotation(timeout) ?? "the default 60 s"}");
                            }
                        }
                    }
                }
            }
        }

        // The WebSocket paths the app maps must have their own rule (and so their timeouts); "/" covers the rest.
        foreach (var (path, source) in new[] { ("/_blazor", (string?)null), ("/telephony/media", "src/VoiceAgent.Telephony/TwilioWebhooks.cs") })
        {
            if (source is not null && !Repo.Read(source).Contains($"\"{path}\"", StringComparison.Ordinal))
            {
                problems.Add($"{source}: the app no longer maps {path}: update deploy/k8s/ingress.yaml and deploy/proxy");
            }

            if (ingresses.Count > 0 && !routed.Contains(path))
            {
                problems.Add($"deploy/k8s/ingress.yaml: Ingress: /spec/rules/http/paths: no rule for the WebSocket path {path}");
            }
        }
    }

    private static void CheckProbe(List<string> problems, Manifest workload, JsonObject container, string at, string probe, string path,
        List<JsonObject> ports)
    {
        var get = container[probe]?["httpGet"];
        if (get is null)
        {
            problems.Add(workload.Where($"{at}/{probe}") + $": an httpGet probe on {path} is required");
            return;
        }

        if (get["path"]?.GetValue<string>() != path)
        {
            problems.Add(workload.Where($"{at}/{probe}/httpGet/path") + $": must be {path} (mapped by HealthApi), not {get["path"]}");
        }

        var port = get["port"]?.ToString();
        if (!ports.Any(p => p["name"]?.ToString() == port || p["containerPort"]?.ToString() == port))
        {
            problems.Add(workload.Where($"{at}/{probe}/httpGet/port") + $": \"{port}\" is no port of the container");
        }
    }

    private static void CheckKey(List<string> problems, Dictionary<string, HashSet<string>> sources, string kind, JsonObject reference, string where)
    {
        var name = reference["name"]?.GetValue<string>() ?? "";
        var key = reference["key"]?.GetValue<string>() ?? "";
        if (!sources.TryGetValue(name, out var keys))
        {
            problems.Add($"{where}/name: no {kind} \"{name}\" in the manifests");
        }
        else if (!keys.Contains(key))
        {
            problems.Add($"{where}/key: {kind} \"{name}\" defines no key \"{key}\"");
        }
    }

    public static void CheckDocumented(List<string> problems, IReadOnlySet<string> documented, string where, string variable)
    {
        if (!Repo.IsPlatformVariable(variable) && !documented.Contains(Repo.Normalize(variable)))
        {
            problems.Add($"{where}: {variable} is neither documented (README \"Configuration\", RUNBOOK) nor an ASP.NET/.NET variable");
        }
    }

    public static bool LooksSecret(string name) =>
        new[] { "Password", "Secret", "ConnectionString", "PseudonymKey", "Token" }.Any(s => name.Contains(s, StringComparison.OrdinalIgnoreCase));

    private static string? ConfigValue(IReadOnlyList<Manifest> manifests, List<JsonObject> env, JsonObject container, string name)
    {
        var direct = env.FirstOrDefault(e => e["name"]?.GetValue<string>() == name)?["value"]?.GetValue<string>();
        if (direct is not null)
        {
            return direct;
        }

        foreach (var from in (container["envFrom"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var map = manifests.FirstOrDefault(m => m.Kind == "ConfigMap" && m.Name == from["configMapRef"]?["name"]?.GetValue<string>());
            if (map?.Doc["data"]?[name] is JsonNode value)
            {
                return value.ToString();
            }
        }

        return null;
    }

    private static HashSet<string> Keys(JsonObject doc, params string[] sections) =>
        sections.SelectMany(s => (doc[s] as JsonObject ?? []).Select(p => p.Key)).ToHashSet(StringComparer.Ordinal);

    private static IEnumerable<(string Key, string Value)> Entries(JsonObject doc, string section) =>
        (doc[section] as JsonObject ?? []).Select(p => (p.Key, p.Value?.ToString() ?? ""));

    private static string Decode(string base64)
    {
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(base64));
        }
        catch (FormatException)
        {
            return base64;
        }
    }

    private static HashSet<string> Labels(JsonNode? node) =>
        (node as JsonObject ?? []).Select(p => $"{p.Key}={p.Value}").ToHashSet(StringComparer.Ordinal);

    private static List<string> Strings(JsonNode? node) => (node as JsonArray ?? []).Select(n => n?.ToString() ?? "").ToList();
}
