using System.Net;
using System.Text;

namespace VoiceAgent.Web.Tests;

/// <summary>Billing's API problems are titled in the request's culture: German by default, English when asked for.</summary>
public sealed class BillingProblemTests : IntegrationTest
{
    private async Task<(HttpStatusCode Status, string Title)> WebhookWithoutStripeAsync(string? culture)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/stripe/webhook") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        if (culture is not null)
        {
            request.Headers.Add("Cookie", $".AspNetCore.Culture=c={culture}|uic={culture}");
        }

        var response = await App.CreateClient().SendAsync(request);
        return (response.StatusCode, (await Json(response)).GetProperty("title").GetString()!);
    }

    [Fact]
    public async Task The_problem_title_is_german_by_default_and_english_for_an_english_request()
    {
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "Stripe-Webhook ist nicht eingerichtet."), await WebhookWithoutStripeAsync(null));
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "The Stripe webhook is not set up."), await WebhookWithoutStripeAsync("en-GB"));
    }
}
