using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using VoiceAgent.Platform.Data;
using VoiceAgent.Testing;

namespace VoiceAgent.Web.Tests;

public sealed class TenantIsolationTests : IntegrationTest
{
    [Fact]
    public async Task Another_tenants_user_id_is_404_and_stays_untouched()
    {
        var (_, adminA) = await App.ApprovedTenantAsync("chef@a.de", "A GmbH");
        var (_, adminB) = await App.ApprovedTenantAsync("chef@b.de", "B GmbH");
        var created = await Json(await adminB.PostAsJsonAsync("/api/tenant/users",
            new { email = "kollege@b.de", password = TestData.Password, role = "TenantUser" }));
        var foreignId = created.GetProperty("id").GetGuid();

        var response = await adminA.DeleteAsync($"/api/tenant/users/{foreignId}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("kollege@b.de", await response.Content.ReadAsStringAsync());
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM users WHERE id = '{foreignId}'"));
        var listA = await adminA.GetStringAsync("/api/tenant/users");
        Assert.DoesNotContain("@b.de", listA);
        var ownA = await adminA.GetStringAsync("/api/tenant");
        Assert.DoesNotContain("B GmbH", ownA);
    }

    [Fact]
    public async Task Row_level_security_returns_no_rows_when_no_tenant_is_set()
    {
        var (idA, _) = await App.ApprovedTenantAsync("chef@a.de", "A GmbH");
        await App.ApprovedTenantAsync("chef@b.de", "B GmbH");

        await using var connection = new NpgsqlConnection(Database.AppConnectionString);
        await connection.OpenAsync();

        async Task<long> Count(string table, string? tenant = null, bool platform = false)
        {
            await using var tx = await connection.BeginTransactionAsync();
            if (tenant is not null || platform)
            {
                await using var set = new NpgsqlCommand("SELECT set_config('app.tenant_id', @t, true), set_config('app.platform', @p, true)", connection, tx);
                set.Parameters.AddWithValue("t", tenant ?? "");
                set.Parameters.AddWithValue("p", platform ? "on" : "off");
                await set.ExecuteNonQueryAsync();
            }

            await using var cmd = new NpgsqlCommand($"SELECT count(*) FROM {table}", connection, tx);
            return (long)(await cmd.ExecuteScalarAsync())!;
        }

        foreach (var table in new[] { "tenants", "users", "audit_entries", "user_claims" })
        {
            Assert.Equal(0, await Count(table));
        }

        Assert.Equal(1, await Count("tenants", idA.ToString()));
        Assert.Equal(1, await Count("users", idA.ToString()));
        Assert.Equal(2, await Count("tenants", platform: true));
        Assert.Equal(3, await Count("users", platform: true));

        // The app role cannot switch row-level security off or write into another tenant.
        await using var tx = await connection.BeginTransactionAsync();
        await using (var set = new NpgsqlCommand($"SELECT set_config('app.tenant_id', '{idA}', true)", connection, tx))
        {
            await set.ExecuteNonQueryAsync();
        }

        await using var insert = new NpgsqlCommand(
            "INSERT INTO audit_entries (tenant_id, action, at) VALUES (gen_random_uuid(), 'x', now())", connection, tx);
        var error = await Assert.ThrowsAsync<PostgresException>(() => insert.ExecuteNonQueryAsync());
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
    }

    [Fact]
    public async Task App_role_cannot_bypass_or_disable_row_level_security()
    {
        await using var connection = new NpgsqlConnection(Database.AppConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("ALTER TABLE tenants DISABLE ROW LEVEL SECURITY", connection);
        var error = await Assert.ThrowsAsync<PostgresException>(() => cmd.ExecuteNonQueryAsync());
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
        await using var role = new NpgsqlCommand("SELECT rolbypassrls OR rolsuper FROM pg_roles WHERE rolname = current_user", connection);
        Assert.False((bool)(await role.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Ef_query_filters_scope_the_context_to_its_tenant()
    {
        var (idA, _) = await App.ApprovedTenantAsync("chef@a.de", "A GmbH");
        await App.ApprovedTenantAsync("chef@b.de", "B GmbH");

        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
        var names = await db.InScopeAsync(s => s.UseTenant(idA), () => db.Tenants.Select(t => t.CompanyName).ToListAsync());
        Assert.Equal(["A GmbH"], names);
        var none = await db.Tenants.CountAsync();
        Assert.Equal(0, none);
    }
}
