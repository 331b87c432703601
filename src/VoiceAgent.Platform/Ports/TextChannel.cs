using VoiceAgent.Activities.Calls;

namespace VoiceAgent.Platform.Ports;

/// <summary>The simulator's channel: what the agent says becomes lines of text; transfers are only recorded.</summary>
public sealed class TextChannel : ICallChannel
{
    public List<string> Lines { get; } = [];
    public List<string> Transfers { get; } = [];
    public bool HungUp { get; private set; }

    public ValueTask SayAsync(string text, SayOptions options, CancellationToken cancellationToken)
    {
        Lines.Add(text);
        return ValueTask.CompletedTask;
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
