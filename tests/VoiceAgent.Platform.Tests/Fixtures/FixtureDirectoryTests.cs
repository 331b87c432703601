using System.Diagnostics;
using System.Globalization;
using VoiceAgent.Testing;

namespace VoiceAgent.Platform.Tests.Fixtures;

/// <summary>What a test run leaves behind when its test host is killed is cleaned up by the next one.</summary>
public sealed class FixtureDirectoryTests
{
    [Fact]
    public void A_folder_whose_test_process_is_gone_is_cleaned_up_with_its_script()
    {
        var directory = FixtureDirectory.Create("selftest");
        var marker = Path.Combine(Path.GetTempPath(), $"voiceagent-selftest-marker-{Guid.NewGuid():N}");
        FixtureDirectory.SetCleanup(directory, $"touch {FixtureDirectory.Quote(marker)}");
        File.WriteAllText(Path.Combine(directory, FixtureDirectory.OwnerFile), DeadProcessId().ToString(CultureInfo.InvariantCulture));
        try
        {
            FixtureDirectory.ReapLeftovers();

            Assert.False(Directory.Exists(directory), "the leftover folder is still there");
            Assert.True(File.Exists(marker), "the folder's cleanup script did not run");
        }
        finally
        {
            File.Delete(marker);
        }
    }

    [Fact]
    public void A_folder_of_a_running_test_process_is_left_alone()
    {
        var directory = FixtureDirectory.Create("selftest");
        try
        {
            FixtureDirectory.ReapLeftovers();

            Assert.True(Directory.Exists(directory));
        }
        finally
        {
            FixtureDirectory.Remove(directory);
        }

        Assert.False(Directory.Exists(directory));
    }

    private static int DeadProcessId()
    {
        using var process = Process.Start(new ProcessStartInfo("/bin/true"))!;
        process.WaitForExit();
        return process.Id;
    }
}
