using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using VoiceAgent.Testing;
using Npgsql;
using VoiceAgent.Billing.Lexoffice;

namespace VoiceAgent.Web.Tests;

/// <summary>The Lexoffice client's resilience pipeline on a fake clock: order and waits, never elapsed wall-clock time.</summary>
public sealed class LexofficeResilienceTests
{
    /// <summary>A fake clock that counts its timers: advancing before the pipeline armed its wait would skip nothing.</summary>
    private sealed class ObservedTime : FakeTimeProvider
    {
        private int timers;

        public ObservedTime()
            : base(new DateTimeOffset(2026, 1, 5, 10, 0, 0, TimeSpan.Zero))
        {
        }

        public int Timers => Volatile.Read(ref timers);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Interlocked.Increment(ref timers);
            return base.CreateTimer(callback, state, dueTime, period);
        }
    }

    private sealed class ScriptedHandler(Func<int, HttpResponseMessage> answer) : HttpMessageHandler
    {
        private int count;

        public int Count => Volatile.Read(ref count);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var n = Interlocked.Increment(ref count);
            return Task.FromResult(answer(n));
        }
    }

    private static (LexofficeClient Client, ServiceProvider Services) Client(ObservedTime time, HttpMessageHandler handler, int maxAttempts = 5)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton(NpgsqlDataSource.Create("Host=127.0.0.1;Database=unused")); // never opened: no request spacing
        services.AddSingleton<LexofficeRateLimiter>();
        services.Configure<LexofficeOptions>(o =>
        {
            o.BaseUrl = new Uri("http://lexoffice.test/");
            o.RequestSpacing = TimeSpan.Zero;
            o.RetryDelay = TimeSpan.FromSeconds(1);
            o.MaxAttempts = maxAttempts;
        });
        services.AddHttpClient<LexofficeClient>(c => c.Timeout = Timeout.InfiniteTimeSpan)
            .AddLexofficeResilience()
            .ConfigurePrimaryHttpMessageHandler(() => handler);
        var provider = services.BuildServiceProvider();
        return (provider.GetRequiredService<LexofficeClient>(), provider);
    }

    private static HttpResponseMessage Contact() =>
        new(HttpStatusCode.OK) { Content = new StringContent($$"""{"id":"{{Guid.NewGuid()}}","version":1}""", System.Text.Encoding.UTF8, "application/json") };

    [Fact]
    public async Task A_retry_after_header_holds_the_next_attempt_until_the_clock_passed_it()
    {
        var time = new ObservedTime();
        var handler = new ScriptedHandler(n =>
        {
            if (n > 1)
            {
                return Contact();
            }

            var throttled = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
            throttled.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(20));
            return throttled;
        });
        var (client, services) = Client(time, handler);
        await using var _ = services;

        var call = client.CreateContactAsync("key", new JsonObject(), CancellationToken.None);
        await WaitForAsync(() => time.Timers >= 2); // the attempt's timeout and the retry's wait
        // Retry-After (20 s) wins over the back-off (1 s): nothing is sent before the clock passed it.
        time.Advance(TimeSpan.FromSeconds(19.8));
        Assert.Equal(1, handler.Count);
        Assert.False(call.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(0.4)); // + up to 100 ms jitter
        var (id, version) = await call.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(2, handler.Count);
        Assert.NotEqual(Guid.Empty, id);
        Assert.Equal(1, version);
    }

    [Fact]
    public async Task Creating_is_not_repeated_after_a_server_error_but_reading_is_with_exponential_back_off()
    {
        var time = new ObservedTime();
        var createHandler = new ScriptedHandler(_ => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
        var (creating, createServices) = Client(time, createHandler);
        await using (createServices)
        {
            var refused = await Assert.ThrowsAsync<LexofficeException>(() => creating.CreateInvoiceAsync("key", new JsonObject(), CancellationToken.None));
            Assert.True(refused.Ambiguous);
            Assert.Equal(1, createHandler.Count);
        }

        var readHandler = new ScriptedHandler(n => n < 3 ? new HttpResponseMessage(HttpStatusCode.BadGateway) : Contact());
        var (reading, readServices) = Client(time, readHandler);
        await using var _ = readServices;
        var before = time.Timers;
        var read = reading.GetContactAsync("key", Guid.NewGuid(), CancellationToken.None);
        await WaitForAsync(() => time.Timers >= before + 2);
        time.Advance(TimeSpan.FromSeconds(0.95)); // first back-off 1 s (+ jitter)
        Assert.Equal(1, readHandler.Count);
        time.Advance(TimeSpan.FromSeconds(0.2));
        await WaitForAsync(() => readHandler.Count == 2 && time.Timers >= before + 4);
        time.Advance(TimeSpan.FromSeconds(1.9)); // second back-off 2 s
        Assert.Equal(2, readHandler.Count);
        time.Advance(TimeSpan.FromSeconds(0.2));

        Assert.Equal(1, (int)(await read.WaitAsync(TimeSpan.FromSeconds(10)))["version"]!);
        Assert.Equal(3, readHandler.Count);
    }

    [Fact]
    public async Task Attempts_end_after_max_attempts_with_the_status_in_the_error()
    {
        var time = new ObservedTime();
        var handler = new ScriptedHandler(_ => new HttpResponseMessage(HttpStatusCode.TooManyRequests));
        var (client, services) = Client(time, handler, maxAttempts: 2);
        await using var _ = services;

        var call = client.GetContactAsync("key", Guid.NewGuid(), CancellationToken.None);
        await WaitForAsync(() => time.Timers >= 2);
        time.Advance(TimeSpan.FromSeconds(1.2));
        var error = await Assert.ThrowsAsync<LexofficeException>(() => call.WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Equal(HttpStatusCode.TooManyRequests, error.Status);
        Assert.Equal(2, handler.Count);
    }

    // The retry after a timer fired runs on the thread pool: wait (bounded) for the request to arrive.
    private static Task WaitForAsync(Func<bool> condition) => Eventually.UntilAsync(condition, "the retried request");
}
