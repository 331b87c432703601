using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using VoiceAgent.Testing;
using NodaTime;
using VoiceAgent.Calendars;
using VoiceAgent.Testing.Fakes;

namespace VoiceAgent.Platform.Tests.Calendars;

/// <summary>
/// The Google and Graph clients, with the calendar resilience pipeline, against their fakes: throttling, server errors,
/// lost answers and the time budget. Waits are checked on a fake clock (what is sent before and after the wait), never
/// by measuring elapsed time.
/// </summary>
public sealed class ProviderRetryTests : IAsyncLifetime
{
    private static readonly DateTimeZone Berlin = DateTimeZoneProviders.Tzdb["Europe/Berlin"];
    private static readonly Instant Monday = Instant.FromUtc(2026, 11, 23, 8, 0);
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(10);

    private FakeGoogleCalendarServer google = null!;
    private FakeGraphServer graph = null!;
    private TimeProvider time = TimeProvider.System;
    private HttpClient? http;

    public async Task InitializeAsync()
    {
        google = await FakeGoogleCalendarServer.StartAsync();
        graph = await FakeGraphServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        http?.Dispose();
        await google.DisposeAsync();
        await graph.DisposeAsync();
    }

    [Theory]
    [InlineData(CalendarProviders.Google)]
    [InlineData(CalendarProviders.Microsoft)]
    public async Task A_429_whose_retry_after_fits_the_budget_is_waited_for_and_then_retried(string provider)
    {
        var clock = UseFakeClock();
        if (provider == CalendarProviders.Google)
        {
            google.Fail(new FakeGoogleCalendarServer.Failure(429, RetryAfterSeconds: 1));
        }
        else
        {
            graph.Fail(new FakeGraphServer.Failure(429, RetryAfterSeconds: 1));
        }

        var found = provider == CalendarProviders.Google
            ? Google().EventsAsync(GoogleSession(TimeSpan.FromSeconds(2)), Monday, Monday + Duration.FromHours(8), null, default)
            : Graph().EventsAsync(GraphSession(TimeSpan.FromSeconds(2)), Monday, Monday + Duration.FromHours(8), null, default);

        // The pipeline waits the second the provider asked for, on the clock: nothing is sent again before it has passed.
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(1));
        var sent = Sent(provider);
        Assert.Equal(1, sent);
        clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(sent, Sent(provider));
        clock.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Empty(await found.WaitAsync(HangGuard));
        Assert.Equal(2, Sent(provider));
    }

    [Fact]
    public async Task A_429_asking_for_longer_than_the_budget_gives_up_at_once()
    {
        UseFakeClock();
        graph.Fail(new FakeGraphServer.Failure(429, RetryAfterSeconds: 30));

        // The clock never moves: had the client started the 30 s wait, this would not finish.
        var error = await Assert.ThrowsAsync<CalendarUnavailableException>(() =>
            Graph().BusyAsync(GraphSession(TimeSpan.FromSeconds(2)), Monday, Monday + Duration.FromHours(8), default).WaitAsync(HangGuard));

        Assert.True(error.BudgetExhausted);
        Assert.Single(graph.Requests);
    }

    [Fact]
    public async Task A_calendar_that_does_not_answer_is_given_up_when_the_budget_ends()
    {
        var clock = UseFakeClock();
        graph.Fail(FakeGraphServer.Failure.Hang);

        var found = Graph().EventsAsync(GraphSession(TimeSpan.FromSeconds(2)), Monday, Monday + Duration.FromHours(8), null, default);
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(2));
        await WaitUntilAsync(() => graph.Requests.Count == 1);
        clock.Advance(TimeSpan.FromMilliseconds(1999));
        Assert.False(found.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(1));

        var error = await Assert.ThrowsAsync<CalendarUnavailableException>(() => found.WaitAsync(HangGuard));
        Assert.True(error.BudgetExhausted);
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
    public async Task Graph_retries_happen_once_in_the_pipeline_not_again_in_the_sdk()
    {
        graph.Fail(Enumerable.Repeat(new FakeGraphServer.Failure(503), 20).ToArray());

        var error = await Assert.ThrowsAsync<CalendarUnavailableException>(() =>
            Graph().EventsAsync(GraphSession(TimeSpan.FromSeconds(10)), Monday, Monday + Duration.FromHours(8), null, default));

        Assert.False(error.BudgetExhausted);
        // MaxAttempts requests in all: the Graph SDK's own retry handler (which would retry each of them) is not in the chain.
        Assert.Equal(CalendarResilience.MaxAttempts, graph.Requests.Count);
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
    public async Task Graph_create_sends_the_same_transaction_id_for_the_same_booking_and_gets_the_first_event_back()
    {
        var client = Graph();
        var session = GraphSession(TimeSpan.FromSeconds(5));

        var first = await client.CreateAsync(session, NewEvent("va7e57000000000000000000000003"), default);
        var again = await client.CreateAsync(session, NewEvent("va7e57000000000000000000000003"), default);
        var other = await client.CreateAsync(session, NewEvent("va7e57000000000000000000000004"), default);

        Assert.Equal(first.Id, again.Id);
        Assert.NotEqual(first.Id, other.Id);
        Assert.Equal(2, graph.Events.Count);
        Assert.Equal(GraphCalendarClient.TransactionId("va7e57000000000000000000000003"), first.Marker);
        Assert.All(graph.Events, e => Assert.True(Guid.TryParse(e.TransactionId, out _)));
    }

    [Fact]
    public async Task Graph_free_busy_comes_from_get_schedule_not_from_the_calendar_view()
    {
        var start = Monday.ToDateTimeOffset();
        graph.AddEvent(start, start.AddHours(1), "Kontrolle");
        graph.AddEvent(start.AddHours(2), start.AddHours(3), "Vielleicht", showAs: "tentative");
        graph.AddEvent(start.AddHours(4), start.AddHours(5), "Erinnerung", showAs: "free");
        var client = Graph();
        var session = GraphSession(TimeSpan.FromSeconds(5));

        var busy = await client.BusyAsync(session, Monday, Monday + Duration.FromHours(8), default);
        var again = await client.BusyAsync(session, Monday, Monday + Duration.FromHours(8), default);

        Assert.Equal([(Monday, Monday + Duration.FromHours(1)), (Monday + Duration.FromHours(2), Monday + Duration.FromHours(3))], busy);
        Assert.Equal(busy, again);
        // The default calendar is looked up once; availability is getSchedule only.
        Assert.Equal(["GET me/calendar", "POST me/calendar/getSchedule", "POST me/calendar/getSchedule"],
            graph.Requests.Select(r => $"{r.Method} {r.Path}").ToArray());
        var request = graph.ScheduleRequests[0];
        Assert.Equal(graph.OAuth.Account, (string?)request["schedules"]![0]);
        Assert.Equal("2026-11-23T08:00:00", (string?)request["startTime"]!["dateTime"]);
        Assert.Equal("UTC", (string?)request["startTime"]!["timeZone"]);
        Assert.Equal(GraphCalendarClient.ViewIntervalMinutes, (int?)request["availabilityViewInterval"]);
    }

    [Fact]
    public async Task Graph_free_busy_of_another_calendar_adds_its_view_to_the_mailbox_schedule()
    {
        var start = Monday.ToDateTimeOffset();
        graph.AddEvent(start, start.AddHours(1), "Privat");
        graph.AddEvent(start.AddHours(3), start.AddHours(4), "Praxis", calendarId: FakeGraphServer.SecondCalendar);
        var session = GraphSession(TimeSpan.FromSeconds(5), FakeGraphServer.SecondCalendar);

        var busy = await Graph().BusyAsync(session, Monday, Monday + Duration.FromHours(8), default);

        Assert.Equal([(Monday, Monday + Duration.FromHours(1)), (Monday + Duration.FromHours(3), Monday + Duration.FromHours(4))],
            busy.OrderBy(b => b.Start).ToList());
        Assert.Contains(graph.Requests, r => r.Path == "me/calendar/getSchedule");
        Assert.Contains(graph.Requests, r => r.Path.EndsWith("/calendarView", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Graph_free_busy_of_a_personal_account_falls_back_to_the_calendar_view()
    {
        graph.PersonalAccount = true;
        var start = Monday.ToDateTimeOffset();
        graph.AddEvent(start.AddHours(1), start.AddHours(2), "Zahnarzt");

        var busy = await Graph().BusyAsync(GraphSession(TimeSpan.FromSeconds(5)), Monday, Monday + Duration.FromHours(8), default);

        Assert.Equal([(Monday + Duration.FromHours(1), Monday + Duration.FromHours(2))], busy);
        Assert.Contains(graph.Requests, r => r.Path.EndsWith("/calendarView", StringComparison.Ordinal));
    }

    [Fact]
    public void An_availability_view_becomes_merged_busy_intervals()
    {
        var busy = GraphCalendarClient.FromAvailabilityView("0022013000", Monday, Duration.FromMinutes(15));

        Assert.Equal(
            [(Monday + Duration.FromMinutes(30), Monday + Duration.FromMinutes(60)), (Monday + Duration.FromMinutes(75), Monday + Duration.FromMinutes(105))],
            busy);
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
    public async Task A_graph_401_refreshes_the_token_once_and_a_second_one_means_the_grant_is_gone()
    {
        var refreshed = 0;
        var valid = graph.OAuth.IssueAccessToken();
        var session = new CalendarSession(Connection(CalendarProviders.Microsoft), FakeGraphServer.DefaultCalendar, Berlin,
            new CalendarBudget(TimeProvider.System, TimeSpan.FromSeconds(5)), (refresh, _) =>
            {
                refreshed += refresh ? 1 : 0;
                return Task.FromResult(refresh ? valid : "expired-token");
            });
        var broken = new CalendarSession(Connection(CalendarProviders.Microsoft), FakeGraphServer.DefaultCalendar, Berlin,
            new CalendarBudget(TimeProvider.System, TimeSpan.FromSeconds(5)), (_, _) => Task.FromResult("not-a-token"));

        var calendars = await Graph().CalendarsAsync(session, default);
        await Assert.ThrowsAsync<CalendarAuthorizationException>(() => Graph().CalendarsAsync(broken, default));

        Assert.Equal(2, calendars.Count);
        Assert.Equal(1, refreshed);
        Assert.Equal(4, graph.Requests.Count);
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

    private static Task WaitUntilAsync(Func<bool> condition) => Eventually.UntilAsync(condition, "the condition");

    private TimerRecordingClock UseFakeClock()
    {
        var clock = new TimerRecordingClock();
        time = clock;
        return clock;
    }

    private HttpClient Http() => http ??= new HttpClient(CalendarResilience.Handler(time, new SocketsHttpHandler()));

    private int Sent(string provider) => provider == CalendarProviders.Google ? google.Requests.Count : graph.Requests.Count;

    private GoogleCalendarClient Google() => new(Http(), Options.Create(new CalendarOptions { Google = { ApiBaseUrl = google.ApiBaseUrl } }));

    private GraphCalendarClient Graph() => new(Http(), Options.Create(new CalendarOptions { Microsoft = { GraphBaseUrl = graph.GraphBaseUrl } }));

    private CalendarSession GoogleSession(TimeSpan budget)
    {
        var token = google.OAuth.IssueAccessToken();
        return new CalendarSession(Connection(CalendarProviders.Google), FakeGoogleCalendarServer.PrimaryCalendar, Berlin,
            new CalendarBudget(time, budget), (_, _) => Task.FromResult(token));
    }

    private CalendarSession GraphSession(TimeSpan budget, string calendarId = FakeGraphServer.DefaultCalendar)
    {
        var token = graph.OAuth.IssueAccessToken();
        return new CalendarSession(Connection(CalendarProviders.Microsoft), calendarId, Berlin,
            new CalendarBudget(time, budget), (_, _) => Task.FromResult(token));
    }

    private CalendarConnection Connection(string provider) => new()
    {
        Provider = provider,
        Status = ConnectionStatus.Connected,
        Account = provider == CalendarProviders.Microsoft ? graph.OAuth.Account : "praxis@example.com",
        ProtectedSecret = "",
    };

    private static NewCalendarEvent NewEvent(string id) =>
        new(id, Monday, Monday + Duration.FromMinutes(30), Berlin, "Termin +4915112345678", "Anrufer: +4915112345678", "+4915112345678", null, null);
}
