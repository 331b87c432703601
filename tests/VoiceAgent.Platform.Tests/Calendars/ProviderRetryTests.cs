using System.Diagnostics;
using Microsoft.Extensions.Options;
using NodaTime;
using VoiceAgent.Platform.Calendars;
using VoiceAgent.Testing.Fakes;

namespace VoiceAgent.Platform.Tests.Calendars;

/// <summary>The Google and Graph clients against their fakes: throttling, server errors, lost answers and the time budget.</summary>
public sealed class ProviderRetryTests : IAsyncLifetime
{
    private static readonly DateTimeZone Berlin = DateTimeZoneProviders.Tzdb["Europe/Berlin"];
    private static readonly Instant Monday = Instant.FromUtc(2026, 11, 23, 8, 0);

    private FakeGoogleCalendarServer google = null!;
    private FakeGraphServer graph = null!;
    private readonly HttpClient http = new();

    public async Task InitializeAsync()
    {
        google = await FakeGoogleCalendarServer.StartAsync();
        graph = await FakeGraphServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        await google.DisposeAsync();
        await graph.DisposeAsync();
    }

    [Fact]
    public async Task A_429_whose_retry_after_fits_the_budget_is_waited_for_and_retried()
    {
        google.Fail(new FakeGoogleCalendarServer.Failure(429, RetryAfterSeconds: 1));
        var watch = Stopwatch.StartNew();

        var busy = await Google().BusyAsync(GoogleSession(TimeSpan.FromSeconds(2)), Monday, Monday + Duration.FromHours(8), default);

        Assert.Empty(busy);
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(2));
        Assert.Equal(2, google.Requests.Count(r => r.Path == "freeBusy"));
    }

    [Fact]
    public async Task A_429_asking_for_longer_than_the_budget_gives_up_at_once()
    {
        graph.Fail(new FakeGraphServer.Failure(429, RetryAfterSeconds: 30));
        var watch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<CalendarUnavailableException>(() =>
            Graph().BusyAsync(GraphSession(TimeSpan.FromSeconds(2)), Monday, Monday + Duration.FromHours(8), default));

        Assert.True(error.BudgetExhausted);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"waited {watch.Elapsed}");
        Assert.Single(graph.Requests);
    }

    [Fact]
    public async Task Server_errors_and_googles_403_rate_limit_are_retried()
    {
        google.Fail(new FakeGoogleCalendarServer.Failure(503), new FakeGoogleCalendarServer.Failure(403, Reason: "userRateLimitExceeded"),
            new FakeGoogleCalendarServer.Failure(500));
        google.AddEvent(Monday.ToDateTimeOffset(), Monday.ToDateTimeOffset().AddHours(1), "Kontrolle");

        var busy = await Google().BusyAsync(GoogleSession(TimeSpan.FromSeconds(5)), Monday, Monday + Duration.FromHours(8), default);

        Assert.Equal([(Monday, Monday + Duration.FromHours(1))], busy);
        Assert.Equal(4, google.Requests.Count);
    }

    [Fact]
    public async Task Google_create_whose_answer_was_lost_yields_one_event()
    {
        google.Fail(new FakeGoogleCalendarServer.Failure(503, AfterEffect: true));

        var created = await Google().CreateAsync(GoogleSession(TimeSpan.FromSeconds(5)), NewEvent("va7e57000000000000000000000001"), default);

        var stored = Assert.Single(google.Events);
        Assert.Equal("va7e57000000000000000000000001", stored.Id);
        Assert.Equal(stored.Id, created.Id);
        // POST (answer lost) → POST (409 duplicate) → GET
        Assert.Equal(["POST", "POST", "GET"], google.Requests.Select(r => r.Method).ToArray());
    }

    [Fact]
    public async Task Graph_create_whose_answer_was_lost_yields_one_event()
    {
        graph.Fail(new FakeGraphServer.Failure(504, AfterEffect: true));

        var created = await Graph().CreateAsync(GraphSession(TimeSpan.FromSeconds(5)), NewEvent("va7e57000000000000000000000002"), default);

        var stored = Assert.Single(graph.Events);
        Assert.Equal(created.Id, stored.Id);
        Assert.Equal(GraphCalendarClient.TransactionId("va7e57000000000000000000000002"), stored.TransactionId);
        Assert.Equal(2, graph.Requests.Count(r => r.Method == "POST"));
    }

    [Fact]
    public async Task A_second_401_after_a_refresh_means_the_grant_is_gone()
    {
        var refreshed = 0;
        var session = new CalendarSession(Connection(CalendarProviders.Google), FakeGoogleCalendarServer.PrimaryCalendar, Berlin,
            new CalendarBudget(TimeProvider.System, TimeSpan.FromSeconds(5)), (refresh, _) =>
            {
                refreshed += refresh ? 1 : 0;
                return Task.FromResult("not-a-token");
            });

        await Assert.ThrowsAsync<CalendarAuthorizationException>(() => Google().CalendarsAsync(session, default));

        Assert.Equal(1, refreshed);
        Assert.Equal(2, google.Requests.Count);
    }

    [Fact]
    public async Task Calendar_lists_follow_paging()
    {
        for (var i = 0; i < 7; i++)
        {
            graph.AddEvent(Monday.ToDateTimeOffset().AddHours(i), Monday.ToDateTimeOffset().AddHours(i).AddMinutes(30), $"Termin {i}");
            google.AddEvent(Monday.ToDateTimeOffset().AddHours(i), Monday.ToDateTimeOffset().AddHours(i).AddMinutes(30), $"Termin {i}");
        }

        var fromGraph = await Graph().EventsAsync(GraphSession(TimeSpan.FromSeconds(5)), Monday, Monday + Duration.FromDays(1), null, default);
        var fromGoogle = await Google().EventsAsync(GoogleSession(TimeSpan.FromSeconds(5)), Monday, Monday + Duration.FromDays(1), null, default);

        Assert.Equal(7, fromGraph.Count);
        Assert.Equal(7, fromGoogle.Count);
        Assert.Equal(3, graph.Requests.Count);
        Assert.Equal(4, google.Requests.Count);
    }

    private GoogleCalendarClient Google() => new(http, Options.Create(new CalendarOptions { Google = { ApiBaseUrl = google.ApiBaseUrl } }));

    private GraphCalendarClient Graph() => new(http, Options.Create(new CalendarOptions { Microsoft = { GraphBaseUrl = graph.GraphBaseUrl } }));

    private CalendarSession GoogleSession(TimeSpan budget)
    {
        var token = google.OAuth.IssueAccessToken();
        return new CalendarSession(Connection(CalendarProviders.Google), FakeGoogleCalendarServer.PrimaryCalendar, Berlin,
            new CalendarBudget(TimeProvider.System, budget), (_, _) => Task.FromResult(token));
    }

    private CalendarSession GraphSession(TimeSpan budget)
    {
        var token = graph.OAuth.IssueAccessToken();
        return new CalendarSession(Connection(CalendarProviders.Microsoft), FakeGraphServer.DefaultCalendar, Berlin,
            new CalendarBudget(TimeProvider.System, budget), (_, _) => Task.FromResult(token));
    }

    private static CalendarConnection Connection(string provider) =>
        new() { Provider = provider, Status = ConnectionStatus.Connected, Account = "praxis@example.com", ProtectedSecret = "" };

    private static NewCalendarEvent NewEvent(string id) =>
        new(id, Monday, Monday + Duration.FromMinutes(30), Berlin, "Termin +4915112345678", "Anrufer: +4915112345678", "+4915112345678", null, null);
}
