using VoiceAgent.Activities.Calls;

namespace VoiceAgent.Platform.Ports;

/// <summary>
/// Speech that plays while the flow is still running (a realtime media stream): a line handed over is synthesized and
/// sent at once, so the caller hears the first sentence of a turn before the flow has finished it.
/// </summary>
public interface ILiveSpeech
{
    /// <summary>Queues a line to be spoken now. After <see cref="Interrupted"/> lines are dropped, never thrown at.</summary>
    ValueTask SayAsync(string text, CancellationToken cancellationToken);

    /// <summary>Fires when the caller speaks over the agent in this turn.</summary>
    CancellationToken Interrupted { get; }
}

/// <summary>The channel of one flow turn: what the agent says becomes lines of text (the simulator's and gather mode's
/// answer) and, on a realtime call, is spoken at once through <see cref="Live"/>; transfers are only recorded.</summary>
public sealed class TextChannel(ILiveSpeech? live = null) : ICallChannel
{
    public List<string> Lines { get; } = [];
    public List<string> Transfers { get; } = [];
    public bool HungUp { get; private set; }

    /// <summary>Speaks while the flow runs (realtime calls); null when the lines are spoken after the turn.</summary>
    public ILiveSpeech? Live => live;

    public CancellationToken Interrupted => live?.Interrupted ?? CancellationToken.None;

    public bool SpeaksLive => live is not null;

    public async ValueTask SayAsync(string text, SayOptions options, CancellationToken cancellationToken)
    {
        Lines.Add(text);
        if (live is not null)
        {
            await live.SayAsync(text, cancellationToken);
        }
    }

    public ValueTask TransferAsync(string target, CancellationToken cancellationToken)
    {
        Transfers.Add(target);
        return ValueTask.CompletedTask;
    }

    public ValueTask HangupAsync(CancellationToken cancellationToken)
    {
        HungUp = true;
        return ValueTask.CompletedTask;
    }
}
