using VoiceAgent.Flows.Runtime;
using VoiceAgent.Platform.Speech;

namespace VoiceAgent.Telephony.Speech;

/// <summary>
/// A call's recognition stream, usable at once while the engine's stream opens (the greeting plays meanwhile): what is
/// appended, cleared and committed before it is open is replayed in order when it is, so nothing waits for the network.
/// When it cannot be opened, every commit fails with the reason (<see cref="PortException"/>) and appends are ignored.
/// </summary>
public sealed class OpeningSpeechToTextStream : ISpeechToTextStream
{
    private readonly Lock gate = new();
    private readonly List<Action<ISpeechToTextStream>> queued = [];
    private readonly CancellationTokenSource closing;
    private ISpeechToTextStream? inner;
    private PortException? failure;

    public OpeningSpeechToTextStream(IStreamingSpeechToText engine, CancellationToken ct)
    {
        closing = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Opened = OpenAsync(engine, closing.Token);
    }

    /// <summary>Completes when the stream is open; faults with a <see cref="PortException"/> when it cannot be.</summary>
    public Task Opened { get; }

    private async Task OpenAsync(IStreamingSpeechToText engine, CancellationToken ct)
    {
        ISpeechToTextStream stream;
        try
        {
            stream = await engine.OpenAsync(ct);
        }
        catch (Exception ex)
        {
            var reason = ex as PortException ?? new PortException($"The recognition stream could not be opened ({ex.GetType().Name}).", ex);
            List<Action<ISpeechToTextStream>> waiting;
            lock (gate)
            {
                failure = reason;
                waiting = [.. queued];
                queued.Clear();
            }

            // Queued commits learn the reason.
            var failed = new FailedStream(reason);
            foreach (var action in waiting)
            {
                action(failed);
            }

            throw reason;
        }

        lock (gate)
        {
            foreach (var action in queued)
            {
                action(stream);
            }

            queued.Clear();
            inner = stream;
        }
    }

    public void Append(ReadOnlyMemory<byte> mulaw)
    {
        lock (gate)
        {
            if (inner is null && failure is null)
            {
                var copy = mulaw.ToArray();
                queued.Add(s => s.Append(copy));
                return;
            }
        }

        inner?.Append(mulaw);
    }

    public void Clear()
    {
        lock (gate)
        {
            if (inner is null && failure is null)
            {
                queued.Add(s => s.Clear());
                return;
            }
        }

        inner?.Clear();
    }

    public Task<string?> CommitAsync(CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (failure is not null)
            {
                return Task.FromException<string?>(failure);
            }

            if (inner is null)
            {
                var answer = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
                queued.Add(s => Forward(s.CommitAsync(cancellationToken), answer));
                return answer.Task;
            }
        }

        return inner.CommitAsync(cancellationToken);
    }

    private static void Forward(Task<string?> commit, TaskCompletionSource<string?> answer) =>
        commit.ContinueWith(t =>
        {
            if (t.IsCanceled)
            {
                answer.TrySetCanceled();
            }
            else if (t.Exception is { } ex)
            {
                answer.TrySetException(ex.InnerExceptions);
            }
            else
            {
                answer.TrySetResult(t.Result);
            }
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    public async ValueTask DisposeAsync()
    {
        await closing.CancelAsync();
        await Opened.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        ISpeechToTextStream? open;
        lock (gate)
        {
            (open, inner) = (inner, null);
            failure ??= new PortException("The recognition stream was closed.");
        }

        if (open is not null)
        {
            await open.DisposeAsync();
        }

        closing.Dispose();
    }

    /// <summary>Stands in for the stream that could not be opened, so queued commits fail with the reason.</summary>
    private sealed class FailedStream(PortException reason) : ISpeechToTextStream
    {
        public void Append(ReadOnlyMemory<byte> mulaw)
        {
        }

        public void Clear()
        {
        }

        public Task<string?> CommitAsync(CancellationToken cancellationToken) =>
            Task.FromException<string?>(reason);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
