using Microsoft.Extensions.DependencyInjection;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Tenancy;
using VoiceAgent.Telephony;

namespace VoiceAgent.Web.Tests;

/// <summary>What the numbers page does with its input: it calls NumberService in the tenant's scope, as PortalData runs it.</summary>
public sealed class NumbersBindingTests : IntegrationTest
{
    [Fact]
    public async Task A_national_number_is_bound_in_the_tenants_country_and_an_invalid_one_gets_a_german_field_error_and_stores_nothing()
    {
        var (tenantId, _) = await App.ApprovedTenantAsync("chef@praxis.de", "Praxis Alpha");
        var flowId = await App.SeedSampleFlowAsync(tenantId);
        var actor = new Actor(null, "chef@praxis.de");

        async Task<Outcome<PhoneNumber>> ConnectAsync(string input)
        {
            await using var scope = App.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
            var numbers = scope.ServiceProvider.GetRequiredService<NumberService>();
            return await db.InScopeAsync(s => s.UseTenant(tenantId), () => numbers.ConnectAsync(tenantId, input, "DE", "twilio", flowId, actor));
        }

        var bound = await ConnectAsync("030 / 123 45 67");
        Assert.Equal(OutcomeKind.Ok, bound.Kind);
        Assert.Equal("+49301234567", bound.Value!.Number);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM phone_numbers WHERE number = '+49301234567' AND released_at IS NULL"));

        var refused = await ConnectAsync("112");
        Assert.Equal(OutcomeKind.Invalid, refused.Kind);
        Assert.Contains("112", refused.Errors!["number"][0]);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM phone_numbers"));
    }
}
