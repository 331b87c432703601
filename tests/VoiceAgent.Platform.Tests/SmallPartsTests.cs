using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Resources;
using VoiceAgent.Platform.Security;
using VoiceAgent.Platform.Tenancy;

namespace VoiceAgent.Platform.Tests;

public sealed class SmallPartsTests
{
    [Theory]
    // Fake keys, split so that secret scanners do not mistake the test data for real credentials.
    [InlineData("sk_live_" + "51HxyzABCDEFGHIJKLMNOPa1b2", "sk_live_…a1b2")]
    [InlineData("rk_test_" + "abcdefghijklmnop9z8y", "rk_test_…9z8y")]
    [InlineData("AC0123456789abcdef0123456789abcdef", "AC01…cdef")]
    [InlineData("short-key", "…")]
    public void Secret_hints_show_a_prefix_and_the_last_four_characters_only(string secret, string hint) =>
        Assert.Equal(hint, SecretHint.For(secret));

    [Theory]
    [InlineData("pending", true, TenantStatus.Pending)]
    [InlineData("Approved", true, TenantStatus.Approved)]
    [InlineData("1", false, TenantStatus.Pending)]
    [InlineData("deleted", false, TenantStatus.Pending)]
    [InlineData(null, false, TenantStatus.Pending)]
    public void Status_names_parse_only_known_values(string? value, bool ok, TenantStatus expected)
    {
        Assert.Equal(ok, TenantStatusNames.TryParseApi(value, out var status));
        if (ok)
        {
            Assert.Equal(expected, status);
        }
    }

    [Fact]
    public void Migrations_are_embedded_in_order()
    {
        var ids = DatabaseMigrator.LoadMigrations().Select(m => m.Id).ToList();
        Assert.NotEmpty(ids);
        Assert.Equal("0001_initial", ids[0]);
        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
    }

    [Theory]
    [InlineData("voiceagent_app", true)]
    [InlineData("app; DROP TABLE tenants", false)]
    [InlineData("App", false)]
    [InlineData("", false)]
    public void App_role_names_are_checked_before_they_reach_sql(string role, bool valid) =>
        Assert.Equal(valid, DatabaseMigrator.IsValidIdentifier(role));

    [Fact]
    public void Every_text_exists_in_german_and_english()
    {
        var de = Keys(Path.Combine(SourceRoot(), "src/VoiceAgent.Platform/Resources/Texts.resx"));
        var en = Keys(Path.Combine(SourceRoot(), "src/VoiceAgent.Platform/Resources/Texts.en.resx"));
        Assert.Equal(de, en);
        Assert.True(Texts.Has("Status.Pending.Title"));
    }

    [Fact]
    public void Every_module_resource_file_has_an_english_twin_with_the_same_keys()
    {
        var root = SourceRoot();
        var german = Directory.EnumerateFiles(root, "*.resx", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(".en.resx", StringComparison.Ordinal) && !f.Contains("/bin/") && !f.Contains("/obj/")
                        && !f.Contains("/node_modules/") && !f.Contains("/tests/"))
            .ToList();
        Assert.True(german.Count >= 8, $"only {german.Count} resource files found");
        foreach (var file in german)
        {
            var english = file[..^".resx".Length] + ".en.resx";
            Assert.True(File.Exists(english), $"{Path.GetRelativePath(root, file)} has no English twin");
            Assert.Equal(Keys(file), Keys(english));
        }
    }

    private static string SourceRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "VoiceAgent.sln")))
        {
            dir = Path.GetDirectoryName(dir)!;
        }

        return dir;
    }

    private static string[] Keys(string path) =>
        System.Xml.Linq.XDocument.Load(path).Root!.Elements("data").Select(e => (string)e.Attribute("name")!).Order().ToArray();
}
