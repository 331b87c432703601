using Microsoft.Extensions.Time.Testing;
using VoiceAgent.Designer;

namespace VoiceAgent.Web.Tests.Designer;

/// <summary>The designer's autosave: waits for a pause, saves only what changed, stops on a conflict, retries a passing
/// failure — on a fake clock.</summary>
public sealed class DraftAutosaveTests
{
    private readonly FakeTimeProvider time = new();
    private readonly List<string> saved = [];
    private readonly List<SaveState> states = [];
    private string canvas = "{\"v\":1}";
    private Func<string, SaveAttempt> outcome = _ => SaveAttempt.Stored;

    private DraftAutosave Create()
    {
        var autosave = new DraftAutosave(time, work => work(), () => Task.FromResult<string?>(canvas), json =>
        {
            saved.Add(json);
            return Task.FromResult(outcome(json));
        }, (state, _) => states.Add(state));
        autosave.Reset(canvas);
        states.Clear();
        return autosave;
    }

    [Fact]
    public void A_change_is_saved_once_after_the_pause_and_a_burst_of_changes_is_one_save()
    {
        var autosave = Create();
        canvas = "{\"v\":2}";
        autosave.Changed();
        time.Advance(DraftAutosave.Wait / 2);
        autosave.Changed();
        time.Advance(DraftAutosave.Wait / 2);
        Assert.Empty(saved);

        time.Advance(DraftAutosave.Wait / 2);
        Assert.Equal(["{\"v\":2}"], saved);
        Assert.Equal([SaveState.Dirty, SaveState.Dirty, SaveState.Saving, SaveState.Saved], states);
        Assert.Equal(SaveState.Saved, autosave.State);
    }

    [Fact]
    public void An_edit_made_while_the_canvas_was_starting_is_saved_although_the_baseline_arrives_later()
    {
        var autosave = new DraftAutosave(time, work => work(), () => Task.FromResult<string?>(canvas), json =>
        {
            saved.Add(json);
            return Task.FromResult(SaveAttempt.Stored);
        }, (state, _) => states.Add(state));
        var mounted = canvas;
        canvas = "{\"v\":2}";
        autosave.Changed();
        autosave.Loaded(mounted);
        Assert.Equal(SaveState.Dirty, autosave.State);

        time.Advance(DraftAutosave.Wait);
        Assert.Equal(["{\"v\":2}"], saved);
        Assert.Equal(SaveState.Saved, autosave.State);
    }

    [Fact]
    public async Task Nothing_is_stored_when_the_canvas_is_what_was_saved_last()
    {
        var autosave = Create();
        autosave.Changed();
        time.Advance(DraftAutosave.Wait);
        Assert.True(await autosave.FlushAsync());
        Assert.Empty(saved);
    }

    [Fact]
    public async Task A_conflict_stops_saving_and_keeps_the_canvas()
    {
        var autosave = Create();
        outcome = _ => new SaveAttempt(false, Conflict: true, Message: "Jemand anderes hat diesen Entwurf inzwischen geändert.");
        canvas = "{\"v\":2}";
        autosave.Changed();
        time.Advance(DraftAutosave.Wait);
        Assert.Equal(SaveState.Conflict, autosave.State);

        canvas = "{\"v\":3}";
        autosave.Changed();
        time.Advance(DraftAutosave.Wait * 10);
        Assert.False(await autosave.FlushAsync());
        Assert.Single(saved);
        Assert.Equal(SaveState.Conflict, autosave.State);
    }

    [Fact]
    public void A_passing_failure_is_retried_and_a_final_refusal_is_not()
    {
        var autosave = Create();
        var attempts = 0;
        outcome = _ => ++attempts == 1 ? new SaveAttempt(false, Retry: true, Message: "Der Server ist nicht erreichbar.") : SaveAttempt.Stored;
        canvas = "{\"v\":2}";
        autosave.Changed();
        time.Advance(DraftAutosave.Wait);
        Assert.Equal(SaveState.Error, autosave.State);

        time.Advance(DraftAutosave.RetryAfter);
        Assert.Equal(2, saved.Count);
        Assert.Equal(SaveState.Saved, autosave.State);

        outcome = _ => new SaveAttempt(false, Message: "Ungültig.");
        canvas = "{\"v\":3}";
        autosave.Changed();
        time.Advance(DraftAutosave.Wait);
        time.Advance(DraftAutosave.RetryAfter * 3);
        Assert.Equal(3, saved.Count);
        Assert.Equal(SaveState.Error, autosave.State);
    }

    [Fact]
    public async Task Flush_saves_at_once_and_says_whether_the_canvas_is_stored()
    {
        var autosave = Create();
        canvas = "{\"v\":2}";
        autosave.Changed();
        Assert.True(await autosave.FlushAsync());
        Assert.Equal(["{\"v\":2}"], saved);

        time.Advance(DraftAutosave.Wait * 2);
        Assert.Single(saved);
    }
}
