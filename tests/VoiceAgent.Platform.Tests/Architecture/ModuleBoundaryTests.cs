using System.Reflection;
using System.Xml.Linq;
using VoiceAgent.Billing;
using VoiceAgent.Calendars;
using VoiceAgent.CallFlows;
using VoiceAgent.Platform;
using VoiceAgent.Telephony;

namespace VoiceAgent.Platform.Tests.Architecture;

/// <summary>
/// Dependencies point down only (Flows ← Activities ← Platform ← modules ← Web): a feature module sees the kernel, never
/// another module, and the kernel sees no module. Checked on the compiled assemblies and on the project files.
/// </summary>
public sealed class ModuleBoundaryTests
{
    private static readonly Assembly[] Modules =
    [
        typeof(TelephonyModule).Assembly, typeof(BillingModule).Assembly, typeof(CalendarsModule).Assembly, typeof(CallFlowsModule).Assembly,
    ];

    private static readonly HashSet<string> ModuleNames = Modules.Select(m => m.GetName().Name!).ToHashSet();

    public static TheoryData<string> ModuleAssemblies() => new(Modules.Select(m => m.GetName().Name!));

    [Theory]
    [MemberData(nameof(ModuleAssemblies))]
    public void A_module_references_no_other_module(string name)
    {
        var module = Modules.Single(m => m.GetName().Name == name);
        var referenced = module.GetReferencedAssemblies().Select(r => r.Name!).ToList();

        Assert.DoesNotContain(referenced, ModuleNames.Contains);
        Assert.Contains("VoiceAgent.Platform", referenced);
    }

    [Fact]
    public void The_kernel_and_the_engine_reference_no_module()
    {
        foreach (var kernel in new[] { typeof(BusinessTime).Assembly, typeof(Flows.Runtime.FlowRunner).Assembly, typeof(Activities.Variables).Assembly })
        {
            Assert.DoesNotContain(kernel.GetReferencedAssemblies().Select(r => r.Name!), ModuleNames.Contains);
        }
    }

    [Fact]
    public void The_engine_knows_no_web_framework_and_no_database()
    {
        var referenced = typeof(Flows.Runtime.FlowRunner).Assembly.GetReferencedAssemblies().Select(r => r.Name!).ToList();

        Assert.DoesNotContain(referenced, r => r.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)
                                               || r.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal)
                                               || r.StartsWith("Npgsql", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(ModuleAssemblies))]
    public void A_module_project_refers_to_the_kernel_only(string name)
    {
        var project = XDocument.Load(Path.Combine(RepositoryRoot(), "src", name, name + ".csproj"));
        var references = project.Descendants("ProjectReference").Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value)).ToList();

        Assert.Equal(["VoiceAgent.Platform"], references);
    }

    [Fact]
    public void Each_module_registers_itself_in_one_place()
    {
        foreach (var module in Modules)
        {
            var entry = module.GetExportedTypes().Where(t => t.Name.EndsWith("Module", StringComparison.Ordinal) && t.IsAbstract && t.IsSealed).ToList();
            var type = Assert.Single(entry);
            Assert.Contains(type.GetMethods(), m => m.Name.StartsWith("Add", StringComparison.Ordinal) && m.ReturnType == typeof(Microsoft.Extensions.DependencyInjection.IServiceCollection));
            Assert.Contains(type.GetMethods(), m => m.Name.StartsWith("Map", StringComparison.Ordinal));
        }
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "VoiceAgent.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("VoiceAgent.sln not found above " + AppContext.BaseDirectory);
    }
}
