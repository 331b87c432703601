using VoiceAgent.Flows.Runtime;

namespace VoiceAgent.Activities.Calls;

/// <summary>What a run in a phone call adds to the engine's words: the channel to speak on and the caller's role in
/// the transcript.</summary>
public static class CallContext
{
    // Stored in transcripts (flow_sessions.state) as "Caller", as when it was an enum value.
    private static readonly TranscriptRole CallerRole = new("Caller");

    extension(TranscriptRole)
    {
        /// <summary>The person on the phone (or typing in the simulator).</summary>
        public static TranscriptRole Caller => CallerRole;
    }

    extension(ActivityContext context)
    {
        public ICallChannel Channel => context.Port<ICallChannel>();

        /// <summary>Says a text to the caller and records it in the transcript; an empty text says nothing.</summary>
        public async ValueTask SayAsync(string text, SayOptions options = default)
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                return;
            }

            context.Transcribe(TranscriptRole.Agent, text);
            await context.Channel.SayAsync(text, options, context.CancellationToken);
        }
    }
}
