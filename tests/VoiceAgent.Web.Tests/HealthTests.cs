using System.Net;
using VoiceAgent.Testing;

namespace VoiceAgent.Web.Tests;

public sealed class HealthTests : IntegrationTest
{
    [Fact]
    public async Task Health_is_operational_with_providers_not_configured()
    {
        var response = await App.CreateClient().GetAsync("/api/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await Json(response);
        Assert.Equal("operational", body.GetProperty("status").GetString());
        Assert.Equal("operational", body.GetProperty("database").GetString());
        Assert.Equal("not_configured", body.GetProperty("providers").GetProperty("twilio").GetString());
        Assert.True(body.TryGetProperty("scheduler", out _));
    }

    [Fact]
    public async Task Health_is_503_with_database_down_when_postgres_is_stopped()
    {
        var own = await PostgresServer.StartAsync();
        await using var app = new VoiceAgentFactory(own);
        var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/health")).StatusCode);

        own.Stop();
        var response = await client.GetAsync("/api/health");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("down", (await Json(response)).GetProperty("database").GetString());
    }
}
