using NodaTime;
using VoiceAgent.Calendars;
using VoiceAgent.Platform.Tenancy;

namespace VoiceAgent.Web.Tests;

/// <summary>Moving an appointment in a connected calendar (no transaction across the provider's calls) never leaves two.</summary>
public sealed class ConnectedMoveTests
{
    private static readonly Appointment New = new("new-1", DateTimeOffset.Parse("2026-12-08T10:00:00+01:00"),
        DateTimeOffset.Parse("2026-12-08T10:30:00+01:00"), "Beratung", null, null, false);

    [Fact]
    public async Task The_new_time_is_booked_first_then_the_old_event_cancelled()
    {
        var book = new Book();
        var outcome = await AppointmentService.MoveInConnectedCalendarAsync(book, Booked(book), "old-1", default);

        Assert.Equal(OutcomeKind.Ok, outcome.Kind);
        Assert.Equal(["book new-1", "cancel old-1"], book.Calls);
    }

    [Fact]
    public async Task A_conflict_at_the_new_time_leaves_the_old_event_alone()
    {
        var book = new Book();
        var outcome = await AppointmentService.MoveInConnectedCalendarAsync(book,
            () => Task.FromResult(Outcome<Appointment>.Conflict("belegt")), "old-1", default);

        Assert.Equal(OutcomeKind.Conflict, outcome.Kind);
        Assert.Empty(book.Calls);
    }

    [Fact]
    public async Task When_the_old_event_cannot_be_cancelled_the_new_booking_is_taken_back()
    {
        var book = new Book { FailCancelOf = "old-1" };
        await Assert.ThrowsAsync<HttpRequestException>(() =>
            AppointmentService.MoveInConnectedCalendarAsync(book, Booked(book), "old-1", default));

        Assert.Equal(["book new-1", "cancel old-1", "cancel new-1"], book.Calls);
    }

    [Fact]
    public async Task The_new_booking_is_taken_back_even_when_the_request_was_given_up_while_cancelling()
    {
        using var cts = new CancellationTokenSource();
        var book = new Book { FailCancelOf = "old-1", OnCancel = cts.Cancel };
        await Assert.ThrowsAnyAsync<Exception>(() =>
            AppointmentService.MoveInConnectedCalendarAsync(book, Booked(book), "old-1", cts.Token));

        Assert.Equal(["book new-1", "cancel old-1", "cancel new-1"], book.Calls);
    }

    private static Func<Task<Outcome<Appointment>>> Booked(Book book) => () =>
    {
        book.Calls.Add("book new-1");
        return Task.FromResult(Outcome<Appointment>.Ok(New));
    };

    private sealed class Book : IAppointmentBook
    {
        public List<string> Calls { get; } = [];

        public string? FailCancelOf { get; init; }

        public Action? OnCancel { get; init; }

        public bool Sandbox => false;

        public Task<IReadOnlyList<Appointment>> BetweenAsync(Instant from, Instant to, CancellationToken ct) =>
            Task.FromResult<IReadOnlyList<Appointment>>([]);

        public Task<bool> CancelAsync(string eventId, CancellationToken ct)
        {
            ct.ThrowIfCancellationRequested();
            Calls.Add("cancel " + eventId);
            if (eventId == FailCancelOf)
            {
                OnCancel?.Invoke();
                throw new HttpRequestException("503 from the calendar");
            }

            return Task.FromResult(true);
        }
    }
}
