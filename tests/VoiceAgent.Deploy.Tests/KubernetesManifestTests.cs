using System.Text.Json.Nodes;

namespace VoiceAgent.Deploy.Tests;

/// <summary>
/// deploy/k8s without a cluster: every manifest against the official Kubernetes API schemas (deploy/check/validate-k8s.mjs:
/// kubernetes-models' ajv validators plus unknown fields), then the manifests against each other and the app.
/// </summary>
public sealed class KubernetesManifestTests
{
    private static string[] ManifestFiles() => Directory.GetFiles(Repo.PathOf("deploy/k8s"), "*.yaml").Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void Every_manifest_is_valid_against_the_Kubernetes_schemas()
    {
        var files = ManifestFiles();
        Assert.Contains(files, f => f.EndsWith("deployment.yaml", StringComparison.Ordinal));

        var (exitCode, output) = Repo.Node("validate-k8s.mjs", files);

        Assert.True(exitCode == 0, "Kubernetes schema validation failed:\n" + output);
    }

    [Fact]
    public void A_broken_manifest_is_refused_by_the_schema_check_naming_file_and_field()
    {
        var file = Path.Combine(Path.GetTempPath(), $"voiceagent-deploy-broken-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: broken
            spec:
              replicas: two
              selector:
                matchLabels: { app: broken }
              template:
                metadata:
                  labels: { app: broken }
                spec:
                  containers:
                    - name: web
                      image: voiceagent:latest
                      readinesProbe:
                        httpGet: { path: /api/health, port: http }
                      ports:
                        - containerPort: 8080
                          protocol: TCPX
            """);
        try
        {
            var (exitCode, output) = Repo.Node("validate-k8s.mjs", file);

            Assert.Equal(1, exitCode);
            var name = Path.GetFileName(file);
            Assert.Contains($"{name}: document 1 (Deployment/broken): /spec/replicas: must be integer", output);
            Assert.Contains($"{name}: document 1 (Deployment/broken): /spec/template/spec/containers/0/ports/0/protocol: must be equal to one of the allowed values (SCTP, TCP, UDP)", output);
            Assert.Contains($"{name}: document 1 (Deployment/broken): /spec/template/spec/containers/0/readinesProbe: unknown field \"readinesProbe\"", output);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void The_manifests_agree_with_each_other_and_with_the_app()
    {
        var manifests = KubernetesChecks.LoadAll();
        Assert.Contains(manifests, m => m.Kind == "Deployment");
        Assert.Contains(manifests, m => m.Kind == "Job");
        foreach (var kind in new[] { "Service", "Ingress", "HorizontalPodAutoscaler", "PodDisruptionBudget", "ConfigMap", "Secret" })
        {
            Assert.Contains(manifests, m => m.Kind == kind);
        }

        var problems = KubernetesChecks.Check(manifests);

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void The_deployment_is_ready_on_api_health_alive_on_api_health_live_and_two_replicas_stay_one_under_disruption()
    {
        var manifests = KubernetesChecks.LoadAll();
        var deployment = manifests.Single(m => m.Kind == "Deployment").Doc;
        var web = deployment["spec"]!["template"]!["spec"]!["containers"]![0]!;

        Assert.Equal(2, deployment["spec"]!["replicas"]!.GetValue<long>());
        Assert.Equal("/api/health", web["readinessProbe"]!["httpGet"]!["path"]!.GetValue<string>());
        Assert.Equal("/api/health/live", web["livenessProbe"]!["httpGet"]!["path"]!.GetValue<string>());
        Assert.Equal(1, manifests.Single(m => m.Kind == "PodDisruptionBudget").Doc["spec"]!["minAvailable"]!.GetValue<long>());
        Assert.Equal("autoscaling/v2", manifests.Single(m => m.Kind == "HorizontalPodAutoscaler").Doc["apiVersion"]!.GetValue<string>());
        Assert.Equal("policy/v1", manifests.Single(m => m.Kind == "PodDisruptionBudget").Doc["apiVersion"]!.GetValue<string>());
    }

    [Fact]
    public void The_kustomization_lists_every_manifest_but_the_secret_template_and_the_migration_job()
    {
        var kustomization = Yaml.Single(Repo.Read("deploy/k8s/kustomization.yaml"))!;
        var listed = kustomization["resources"]!.AsArray().Select(r => r!.GetValue<string>()).ToList();
        var expected = ManifestFiles().Select(f => Path.GetFileName(f))
            .Where(f => f is not "kustomization.yaml" and not "secret.template.yaml" and not "migration-job.yaml").Order().ToList();

        Assert.Equal(expected, listed.Order().ToList());
    }

    [Fact]
    public void A_broken_manifest_is_refused_by_the_semantic_check_naming_file_object_and_field()
    {
        var manifests = KubernetesChecks.LoadAll()
            .Where(m => m.Kind is not ("Deployment" or "Ingress")).ToList();
        var broken = Manifest.Load("in-memory/broken.yaml", """
            apiVersion: apps/v1
            kind: Deployment
            metadata: { name: broken }
            spec:
              selector: { matchLabels: { app.kubernetes.io/name: voiceagent, app.kubernetes.io/component: web } }
              template:
                metadata: { labels: { app.kubernetes.io/name: voiceagent, app.kubernetes.io/component: web } }
                spec:
                  securityContext: { runAsNonRoot: true }
                  containers:
                    - name: web
                      image: voiceagent:latest
                      command: ["dotnet", "/app/web/VoiceAgent.dll"]
                      ports: [{ name: http, containerPort: 8080 }]
                      env:
                        - name: Database__AppConnectionString
                          valueFrom: { secretKeyRef: { name: voiceagent-secrets, key: app-connection } }
                        - name: Unknown__Setting
                          value: "1"
                      readinessProbe: { httpGet: { path: /healthz, port: http } }
                      livenessProbe: { httpGet: { path: /api/health/live, port: web } }
                      securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false }
                  volumes: [{ name: tmp, emptyDir: {} }]
            ---
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata:
              name: broken
              annotations: { nginx.ingress.kubernetes.io/proxy-body-size: 1m }
            spec:
              rules:
                - host: x.example.com
                  http:
                    paths:
                      - path: /_blazor
                        pathType: Prefix
                        backend: { service: { name: voiceagent, port: { name: web } } }
            """);

        var problems = KubernetesChecks.Check([.. manifests, .. broken]);
        var text = string.Join('\n', problems);

        Assert.Contains("in-memory/broken.yaml: Deployment/broken: /spec/template/spec/containers/0/env/Database__AppConnectionString/valueFrom/secretKeyRef/key: Secret \"voiceagent-secrets\" defines no key \"app-connection\"", text);
        Assert.Contains("in-memory/broken.yaml: Deployment/broken: /spec/template/spec/containers/0/env/Unknown__Setting: Unknown__Setting is neither documented", text);
        Assert.Contains("in-memory/broken.yaml: Deployment/broken: /spec/template/spec/containers/0/readinessProbe/httpGet/path: must be /api/health", text);
        Assert.Contains("in-memory/broken.yaml: Deployment/broken: /spec/template/spec/containers/0/livenessProbe/httpGet/port: \"web\" is no port of the container", text);
        Assert.Contains("in-memory/broken.yaml: Deployment/broken: /spec/template/spec/containers/0/command: must run [\"dotnet\", \"/app/web/VoiceAgent.Web.dll\"]", text);
        Assert.Contains("in-memory/broken.yaml: Deployment/broken: /spec/template/spec/containers/0/volumeMounts: /tmp must be an emptyDir", text);
        Assert.Contains("in-memory/broken.yaml: Ingress/broken: /spec/rules/x.example.com/http/paths[/_blazor]/backend/service/port: Service \"voiceagent\" has no port", text);
        Assert.Contains("in-memory/broken.yaml: Ingress/broken: /metadata/annotations/nginx.ingress.kubernetes.io/affinity: cookie affinity is required", text);
        Assert.Contains("in-memory/broken.yaml: Ingress/broken: /metadata/annotations/nginx.ingress.kubernetes.io/proxy-read-timeout: WebSockets (/_blazor) need at least 3600 s", text);
        Assert.Contains("no rule for the WebSocket path /telephony/media", text);
    }

    [Fact]
    public void The_documented_settings_include_the_abbreviated_siblings_of_the_readme_table()
    {
        var documented = Repo.DocumentedSettings();

        Assert.Contains("Database__AppConnectionString", documented);
        Assert.Contains("Sipgate__Push__AllowedSourceAddresses", documented); // `…__AllowedSourceAddresses`
        Assert.Contains("Calendars__Google__TokenUrl", documented);            // `…__TokenUrl`
        Assert.Contains("ForwardedHeaders__KnownNetworks__N", documented);
        Assert.Contains("Privacy__PseudonymKey", documented);                   // RUNBOOK, as Privacy:PseudonymKey
        Assert.DoesNotContain("Unknown__Setting", documented);
    }
}
