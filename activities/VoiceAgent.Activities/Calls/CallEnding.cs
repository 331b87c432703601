using VoiceAgent.Activities.Resources;
using VoiceAgent.Flows.Runtime;

namespace VoiceAgent.Activities.Calls;

/// <summary>
/// Ends the call when the run ends without a Hangup: after a failure or a runaway loop the caller first hears an
/// apology, so nobody is left in silence. A broken channel is recorded as an incident; the hangup is still tried.
/// </summary>
public sealed class CallEnding : IRunEndHandler
{
    public async ValueTask RunEndedAsync(ActivityContext context, RunEndReason reason)
    {
        var channel = context.Services.GetService(typeof(ICallChannel)) as ICallChannel;
        var line = reason switch
        {
            RunEndReason.Failed => ActivityTexts.Get("Call.Apology"),
            RunEndReason.StepLimit => ActivityTexts.Get("Call.StepLimitGoodbye"),
            _ => null,
        };
        if (line is not null)
        {
            context.Transcribe(TranscriptRole.Agent, line);
            if (channel is not null)
            {
                await QuietlyAsync(context, () => channel.SayAsync(line, new SayOptions(Interruptible: false), context.CancellationToken));
            }
        }

        if (channel is not null)
        {
            await QuietlyAsync(context, () => channel.HangupAsync(context.CancellationToken));
        }
    }

    private static async ValueTask QuietlyAsync(ActivityContext context, Func<ValueTask> action)
    {
        try
        {
            await action();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            context.Instance.Incidents.Add(new Incident(IncidentKinds.PortFailure, context.NodeId, "Channel: " + ex.Message, context.Time.GetUtcNow()));
        }
    }
}
