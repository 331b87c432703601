namespace VoiceAgent.Activities.Calls;

/// <summary>Designer property editors only the telephony activities use (the engine's general ones are in
/// <see cref="Flows.Descriptors.UiHints"/>); the designer's editor registry uses the same strings.</summary>
public static class CallUiHints
{
    /// <summary>A number on the tenant's transfer allow-list.</summary>
    public const string TransferTarget = "transfer-target";
}
