using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Identity;
using VoiceAgent.Platform.Portal;
using VoiceAgent.Testing;

namespace VoiceAgent.Web.Tests;

/// <summary>The registration page is interactive; its sign-in reaches the browser as a one-minute ticket for the cookie.</summary>
public sealed class SignInTicketTests : IntegrationTest
{
    [Fact]
    public async Task A_valid_ticket_signs_in_and_leads_to_the_return_path()
    {
        var (userId, stamp) = await NewTenantUserAsync();
        var ticket = App.Services.GetRequiredService<SignInTicket>().Issue(userId, stamp);
        var client = Browser();

        var response = await client.GetAsync($"/account/signin?ticket={Uri.EscapeDataString(ticket)}&returnUrl=%2Fstatus");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/status", response.Headers.Location?.OriginalString);
        Assert.Contains(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("voiceagent.auth=", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("")]
    [InlineData("erfunden")]
    [InlineData("CfDJ8AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task A_forged_or_missing_ticket_signs_nobody_in(string ticket)
    {
        var response = await Browser().GetAsync($"/account/signin?ticket={Uri.EscapeDataString(ticket)}&returnUrl=%2Fstatus");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/login", response.Headers.Location?.OriginalString);
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies)
                     && cookies.Any(c => c.StartsWith("voiceagent.auth=", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_ticket_is_worthless_once_the_account_changed_its_security_stamp()
    {
        var (userId, stamp) = await NewTenantUserAsync();
        var ticket = App.Services.GetRequiredService<SignInTicket>().Issue(userId, stamp);
        await using (var scope = App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            await db.InScopeAsync(s => s.UsePlatform(), async () =>
            {
                var user = await users.FindByIdAsync(userId.ToString());
                return await users.UpdateSecurityStampAsync(user!);
            });
        }

        var response = await Browser().GetAsync($"/account/signin?ticket={Uri.EscapeDataString(ticket)}&returnUrl=%2Fstatus");

        Assert.Equal("/login", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task The_return_path_must_be_local()
    {
        var (userId, stamp) = await NewTenantUserAsync();
        var ticket = App.Services.GetRequiredService<SignInTicket>().Issue(userId, stamp);

        var response = await Browser().GetAsync($"/account/signin?ticket={Uri.EscapeDataString(ticket)}&returnUrl=%2F%2Fevil.example");

        Assert.Equal("/", response.Headers.Location?.OriginalString);
    }

    private HttpClient Browser() =>
        App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

    private async Task<(Guid UserId, string Stamp)> NewTenantUserAsync()
    {
        await App.RegisterAsync(TestData.Registration("ticket@example.com", "Ticket GmbH"));
        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        return await db.InScopeAsync(s => s.UsePlatform(), async () =>
        {
            var user = await users.FindByEmailAsync("ticket@example.com");
            return (user!.Id, user.SecurityStamp!);
        });
    }
}
