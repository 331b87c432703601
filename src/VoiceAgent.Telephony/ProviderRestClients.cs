using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using VoiceAgent.Telephony.Sipgate;
using VoiceAgent.Telephony.Twilio;

namespace VoiceAgent.Telephony;

/// <summary>
/// The telephony providers' REST clients on IHttpClientFactory. Transient answers (429, 5xx) are retried once by
/// Microsoft.Extensions.Http.Resilience: after the answer's Retry-After when it names one, else after the configured
/// delay; a Retry-After longer than the configured maximum is not waited for (the error surfaces at once). Other errors
/// and connection failures are not retried.
/// </summary>
public static class ProviderRestClients
{
    public static IServiceCollection AddProviderRestClients(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TwilioOptions>().Bind(configuration.GetSection(TwilioOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SipgateRestOptions>().Bind(configuration.GetSection(SipgateRestOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddTransient<TwilioApiBaseHandler>();

        services.AddHttpClient<TwilioApi>(c => c.Timeout = TimeSpan.FromSeconds(10))
            .AddOneRetry("twilio", sp => sp.GetRequiredService<IOptions<TwilioOptions>>().Value is var o ? (o.RetryDelay, o.MaxRetryAfter) : default)
            .AddHttpMessageHandler<TwilioApiBaseHandler>();
        services.AddHttpClient<SipgateRestClient>(c => c.Timeout = TimeSpan.FromSeconds(10))
            .AddOneRetry("sipgate", sp => sp.GetRequiredService<IOptions<SipgateRestOptions>>().Value is var o ? (o.RetryDelay, o.MaxRetryAfter) : default);
        return services;
    }

    private static IHttpClientBuilder AddOneRetry(this IHttpClientBuilder builder, string name,
        Func<IServiceProvider, (TimeSpan Delay, TimeSpan MaxRetryAfter)> settings)
    {
        builder.AddResilienceHandler(name, (pipeline, context) =>
        {
            var (delay, maxRetryAfter) = settings(context.ServiceProvider);
            pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = 1,
                BackoffType = DelayBackoffType.Constant,
                UseJitter = false,
                Delay = delay,
                ShouldRetryAfterHeader = false, // read below, with the cap
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Result is { } response && IsTransient(response.StatusCode) && !(RetryAfter(response) > maxRetryAfter)),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(args.Outcome.Result is { } response ? RetryAfter(response) ?? delay : delay),
            });
        });
        return builder;
    }

    private static bool IsTransient(HttpStatusCode status) => status == HttpStatusCode.TooManyRequests || (int)status >= 500;

    private static TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter?.Delta;
}
