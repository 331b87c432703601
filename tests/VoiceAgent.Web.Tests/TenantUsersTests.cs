using System.Net;
using System.Net.Http.Json;
using VoiceAgent.Testing;

namespace VoiceAgent.Web.Tests;

public sealed class TenantUsersTests : IntegrationTest
{
    [Fact]
    public async Task User_limit_of_two_holds_under_ten_parallel_requests()
    {
        var (id, admin) = await App.ApprovedTenantAsync("chef@salon.de");

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            admin.PostAsJsonAsync("/api/tenant/users", new { email = $"kollege{i}@salon.de", password = TestData.Password, role = "TenantUser" })));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        var refused = responses.Where(r => r.StatusCode != HttpStatusCode.Created).ToList();
        Assert.Equal(9, refused.Count);
        Assert.All(refused, r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        Assert.Equal("Ein Mandant kann höchstens 2 Benutzer haben. Entfernen Sie zuerst einen Benutzer.",
            (await Json(refused[0])).GetProperty("title").GetString());
        Assert.Equal(2, await CountAsync($"SELECT count(*) FROM users WHERE tenant_id = '{id}'"));
    }

    [Fact]
    public async Task Admin_adds_and_removes_a_user_and_both_are_audited()
    {
        var (id, admin) = await App.ApprovedTenantAsync("chef@salon.de");

        var created = await admin.PostAsJsonAsync("/api/tenant/users", new { email = "Azubi@Salon.de", password = TestData.Password, role = "TenantUser" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var user = await Json(created);
        Assert.Equal("azubi@salon.de", user.GetProperty("email").GetString());
        var list = await Json(await admin.GetAsync("/api/tenant/users"));
        Assert.Equal(2, list.GetArrayLength());

        var deleted = await admin.DeleteAsync($"/api/tenant/users/{user.GetProperty("id").GetGuid()}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM users WHERE tenant_id = '{id}'"));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM audit_entries WHERE action = 'user.added'"));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM audit_entries WHERE action = 'user.removed'"));
    }

    [Fact]
    public async Task Tenant_user_cannot_manage_users()
    {
        var (_, admin) = await App.ApprovedTenantAsync("chef@salon.de");
        await admin.PostAsJsonAsync("/api/tenant/users", new { email = "mitarbeiter@salon.de", password = TestData.Password, role = "TenantUser" });
        var user = await App.LoginAsync("mitarbeiter@salon.de", TestData.Password);

        Assert.Equal(HttpStatusCode.OK, (await user.GetAsync("/api/tenant/users")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden,
            (await user.PostAsJsonAsync("/api/tenant/users", new { email = "x@salon.de", password = TestData.Password, role = "TenantAdmin" })).StatusCode);
        var adminId = (await Json(await user.GetAsync("/api/tenant/users"))).EnumerateArray()
            .First(u => u.GetProperty("role").GetString() == "TenantAdmin").GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.Forbidden, (await user.DeleteAsync($"/api/tenant/users/{adminId}")).StatusCode);
        Assert.Equal(2, await CountAsync("SELECT count(*) FROM users WHERE tenant_id IS NOT NULL"));
    }

    [Theory]
    [InlineData("SuperAdmin")]
    [InlineData("Chef")]
    [InlineData("1")]
    public async Task Invalid_role_is_a_field_error(string role)
    {
        var (_, admin) = await App.ApprovedTenantAsync("chef@salon.de");

        var response = await admin.PostAsJsonAsync("/api/tenant/users", new { email = "x@salon.de", password = TestData.Password, role });

        Assert.Contains("role", (await FieldErrors(response)).Keys);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM users WHERE email = 'x@salon.de'"));
    }

    [Fact]
    public async Task Email_of_another_tenant_is_refused_without_touching_it()
    {
        await App.ApprovedTenantAsync("chef@a.de", "A GmbH");
        var (_, adminB) = await App.ApprovedTenantAsync("chef@b.de", "B GmbH");

        var response = await adminB.PostAsJsonAsync("/api/tenant/users", new { email = "chef@a.de", password = TestData.Password, role = "TenantUser" });

        Assert.Equal("Diese E-Mail-Adresse ist bereits registriert.", (await FieldErrors(response))["email"][0]);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM users WHERE email = 'chef@a.de'"));
    }

    [Fact]
    public async Task Last_admin_cannot_remove_themselves()
    {
        var (_, admin) = await App.ApprovedTenantAsync("chef@salon.de");
        var me = (await Json(await admin.GetAsync("/api/tenant/users")))[0].GetProperty("id").GetGuid();

        var response = await admin.DeleteAsync($"/api/tenant/users/{me}");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM users WHERE tenant_id IS NOT NULL"));
    }
}
