namespace VoiceAgent.Testing;

/// <summary>Files of the checkout the tests run from (deploy scripts, documented examples, the Grafana dashboard).</summary>
public static class RepositoryFiles
{
    /// <summary>The folder holding VoiceAgent.sln, above the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "VoiceAgent.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("VoiceAgent.sln not found above " + AppContext.BaseDirectory);
    }
}
