using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using VoiceAgent.Platform.Http;
using VoiceAgent.Testing;

namespace VoiceAgent.Web.Tests;

/// <summary>Limits shared by all instances through Redis, and per instance while Redis is down (issue #16).</summary>
public sealed class RedisLimitTests : IntegrationTest
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 12, 7, 10, 0, 30, TimeSpan.Zero));

    private WebApplicationFactory<Program> Instance(string redis) => App.WithWebHostBuilder(b =>
    {
        b.UseSetting("Redis:Configuration", redis);
        b.UseSetting("RateLimits:ApiCallsPerTenantPerMinute", "4");
        b.ConfigureServices(s =>
        {
            s.AddSingleton(new LocalRateCounter(clock));
        });
    });

    private static HttpClient As(WebApplicationFactory<Program> app, HttpClient admin)
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = admin.DefaultRequestHeaders.Authorization;
        return client;
    }

    [Fact]
    public async Task Two_instances_share_one_redis_counter_and_fall_back_to_their_own_when_redis_is_down()
    {
        await using var redis = await RedisServer.StartAsync();
        var (_, admin) = await App.ApprovedTenantAsync("chef@alpha.de", "Praxis Alpha");
        var first = As(Instance(redis.Configuration), admin);
        var second = As(Instance(redis.Configuration), admin);

        // Four calls in one minute, two on each instance: the fifth is refused on either.
        Assert.Equal(HttpStatusCode.OK, (await first.GetAsync("/api/tenant/numbers")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync("/api/tenant/numbers")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await first.GetAsync("/api/tenant/numbers")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync("/api/tenant/numbers")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await first.GetAsync("/api/tenant/numbers")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await second.GetAsync("/api/tenant/numbers")).StatusCode);

        // Redis gone: each instance keeps serving and counts on its own (its local count of this minute is fresh).
        await redis.StopAsync();
        clock.Advance(TimeSpan.FromMinutes(1));
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await first.GetAsync("/api/tenant/numbers")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await first.GetAsync("/api/tenant/numbers")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync("/api/tenant/numbers")).StatusCode);
    }
}
