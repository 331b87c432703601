using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Microsoft.Extensions.DependencyInjection;
using VoiceAgent.Platform.Data;
using VoiceAgent.Testing;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace VoiceAgent.Web.Tests;

/// <summary>Each test gets the shared PostgreSQL, emptied at its start, a fresh app host and a super-admin.</summary>
public abstract class IntegrationTest : IAsyncLifetime
{
    protected PostgresServer Database { get; private set; } = default!;

    protected VoiceAgentFactory App { get; private set; } = default!;

    protected virtual string Environment => "Development";

    /// <summary>Extra configuration of <see cref="App"/> (e.g. no Hangfire server when the test's own hosts run the jobs).</summary>
    protected virtual Dictionary<string, string?> AppSettings => [];

    /// <summary>The host's clock when a test drives time itself (a FakeTimeProvider); null is the system clock.</summary>
    protected virtual TimeProvider? AppTime => null;

    /// <summary>Test-only service changes of <see cref="App"/> (e.g. an in-memory trace exporter).</summary>
    protected virtual Action<IServiceCollection>? AppServices => null;

    public async Task InitializeAsync()
    {
        Database = await PostgresServer.Shared;
        await Database.ResetAsync();
        App = new VoiceAgentFactory(Database, Environment) { Settings = AppSettings, Time = AppTime, TestServices = AppServices };
        await App.CreateSuperAdminAsync();
    }

    public async Task DisposeAsync()
    {
        try
        {
            await App.DisposeAsync();
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown was cut short (Hangfire's server waits for its workers; seen once on a machine busy with
            // a build). The test has passed or failed by now; the next test starts a fresh host on a reset database.
        }
    }

    /// <summary>Runs work as PortalData runs a page's: a fresh scope, the tenant's RLS scope, one committed transaction.</summary>
    protected async Task<T> AsTenantAsync<T>(Guid tenantId, Func<IServiceProvider, VoiceAgentDb, Task<T>> work)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
        db.Scope.UseTenant(tenantId);
        await using var transaction = await db.Database.BeginTransactionAsync();
        var result = await work(scope.ServiceProvider, db);
        await transaction.CommitAsync();
        return result;
    }

    /// <summary>Counts rows as the schema owner (bypasses row-level security), to assert what is really stored.</summary>
    protected async Task<long> CountAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Database.OwnerConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }

    /// <summary>A user's id, read as the schema owner.</summary>
    protected async Task<Guid> UserIdAsync(string email)
    {
        await using var connection = new NpgsqlConnection(Database.OwnerConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT id FROM users WHERE email = @e", connection);
        cmd.Parameters.AddWithValue("e", email);
        return (Guid)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>The path (and query) a redirect points to, whether the location is absolute or relative.</summary>
    protected static string PathOf(HttpResponseMessage response) =>
        response.Headers.Location is { IsAbsoluteUri: true } absolute ? absolute.PathAndQuery : response.Headers.Location?.OriginalString ?? "";

    protected static async Task<JsonElement> Json(HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>();

    protected static async Task<Dictionary<string, string[]>> FieldErrors(HttpResponseMessage response)
    {
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await Json(response);
        return body.GetProperty("errors").Deserialize<Dictionary<string, string[]>>()!;
    }
}
