using VoiceAgent.Testing;

namespace VoiceAgent.Web.Tests;

/// <summary>The routing lookups of a webhook: <c>route_number()</c> for a new call, <c>call_tenant()</c> for the calls we took.</summary>
internal static class TelephonyRoutingQueries
{
    public static int Count(IReadOnlyList<string> commands) =>
        commands.Count(c => c.Contains("route_number(", StringComparison.Ordinal) || c.Contains("call_tenant(", StringComparison.Ordinal));

    /// <summary>
    /// What a new call's set-up itself costs, apart from what the flow's activities read: no separate look-up of an
    /// existing call, no savepoints, and the call inserted with its first turn (no second save of the call).
    /// </summary>
    public static void AssertLeanSetUp(IReadOnlyList<string> commands)
    {
        Assert.Equal(1, commands.Count(c => c.Contains("route_number(", StringComparison.Ordinal)));
        Assert.DoesNotContain(commands, c => c.Contains("SAVEPOINT", StringComparison.Ordinal));
        Assert.DoesNotContain(commands, c => c.StartsWith("UPDATE calls", StringComparison.Ordinal));
        Assert.Single(commands, c => c.Contains("INSERT INTO calls", StringComparison.Ordinal));
        Assert.DoesNotContain(commands, c => c.StartsWith("SELECT t.id, t.city", StringComparison.Ordinal)); // the tenant comes with the set-up query
    }

    /// <summary>Sends one request and returns the database commands it ran (written to the test output).</summary>
    public static async Task<IReadOnlyList<string>> CommandsOfAsync(DbCommandLog log, Xunit.Abstractions.ITestOutputHelper output, string label,
        Func<Task<HttpResponseMessage>> send)
    {
        log.Take();
        var response = await send();
        Assert.True(response.IsSuccessStatusCode, $"{label}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var commands = log.Take();
        output.WriteLine($"{label}: {commands.Count} database commands, {Count(commands)} routing");
        foreach (var command in commands)
        {
            output.WriteLine("    " + command.ReplaceLineEndings(" "));
        }

        return commands;
    }
}
