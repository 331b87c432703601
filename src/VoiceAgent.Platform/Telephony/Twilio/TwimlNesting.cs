namespace VoiceAgent.Platform.Telephony.Twilio;

internal static class TwimlNesting
{
    /// <summary>A nested builder kept beyond its callback would write into whatever element is open by then.</summary>
    public static void EnsureOpen(bool closed, string element)
    {
        if (closed)
        {
            throw new InvalidOperationException($"The {element} element is already closed; add its content inside the callback.");
        }
    }
}
