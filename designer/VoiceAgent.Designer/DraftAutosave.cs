namespace VoiceAgent.Designer;

/// <summary>Where the designer's autosave stands (shown in the top bar).</summary>
public enum SaveState
{
    Saved,
    Dirty,
    Saving,
    Conflict,
    Error,
}

/// <summary>The result of one save: stored, refused because someone else changed the draft (<see cref="Conflict"/>),
/// or failed (<paramref name="Retry"/>: a passing problem, e.g. the database was unreachable, worth trying again).</summary>
public sealed record SaveAttempt(bool Ok, bool Conflict = false, bool Retry = false, string? Message = null)
{
    public static readonly SaveAttempt Stored = new(true);
}

/// <summary>
/// Saves the designer's draft automatically: a change waits for a short pause (<see cref="Wait"/>), then the canvas is
/// read and stored unless it is what was saved last. A conflict stops saving (the canvas keeps the user's version; nothing
/// is overwritten on either side); a passing failure is retried after <see cref="RetryAfter"/>. One save at a time.
/// Timer callbacks go through <paramref name="dispatch"/> (the component's renderer).
/// </summary>
public sealed class DraftAutosave(
    TimeProvider time,
    Func<Func<Task>, Task> dispatch,
    Func<Task<string?>> read,
    Func<string, Task<SaveAttempt>> save,
    Action<SaveState, string?> report) : IDisposable
{
    public static readonly TimeSpan Wait = TimeSpan.FromMilliseconds(800);
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim gate = new(1, 1);
    private ITimer? timer;
    private string? lastSaved;
    private bool changedWhileSaving;

    public SaveState State { get; private set; } = SaveState.Saved;

    /// <summary>The canvas changed: save after a short pause (not while in conflict).</summary>
    public void Changed()
    {
        if (State == SaveState.Conflict)
        {
            return;
        }

        if (State == SaveState.Saving)
        {
            changedWhileSaving = true;
        }
        else
        {
            Set(SaveState.Dirty);
        }

        Schedule(Wait);
    }

    /// <summary>A definition was (re)loaded or imported: it is the saved state.</summary>
    public void Reset(string? savedJson)
    {
        timer?.Dispose();
        timer = null;
        lastSaved = savedJson;
        changedWhileSaving = false;
        Set(SaveState.Saved);
    }

    /// <summary>The definition the designer opened with is stored: it is the baseline. Unlike <see cref="Reset"/>, a change
    /// already reported (made while the canvas was still starting) stays pending and is saved.</summary>
    public void Loaded(string? savedJson) => lastSaved = savedJson;

    /// <summary>Saves now; true when the canvas is saved.</summary>
    public async Task<bool> FlushAsync()
    {
        timer?.Dispose();
        timer = null;
        if (State is SaveState.Dirty or SaveState.Error || changedWhileSaving)
        {
            await SaveNowAsync();
        }
        else
        {
            // A save may be running: wait for it.
            await gate.WaitAsync();
            gate.Release();
        }

        return State == SaveState.Saved;
    }

    private void Schedule(TimeSpan after)
    {
        timer?.Dispose();
        timer = time.CreateTimer(_ => _ = dispatch(SaveNowAsync), null, after, Timeout.InfiniteTimeSpan);
    }

    private async Task SaveNowAsync()
    {
        await gate.WaitAsync();
        try
        {
            if (State == SaveState.Conflict)
            {
                return;
            }

            changedWhileSaving = false;
            var json = await read();
            if (json is null)
            {
                return;
            }

            if (json == lastSaved)
            {
                Set(SaveState.Saved);
                return;
            }

            Set(SaveState.Saving);
            var attempt = await save(json);
            if (attempt.Ok)
            {
                lastSaved = json;
                if (changedWhileSaving)
                {
                    Set(SaveState.Dirty);
                    Schedule(Wait);
                }
                else
                {
                    Set(SaveState.Saved);
                }
            }
            else if (attempt.Conflict)
            {
                timer?.Dispose();
                timer = null;
                Set(SaveState.Conflict, attempt.Message);
            }
            else
            {
                Set(SaveState.Error, attempt.Message);
                if (attempt.Retry)
                {
                    Schedule(RetryAfter);
                }
            }
        }
        finally
        {
            gate.Release();
        }
    }

    private void Set(SaveState state, string? detail = null)
    {
        State = state;
        report(state, detail);
    }

    public void Dispose()
    {
        timer?.Dispose();
        timer = null;
    }
}
