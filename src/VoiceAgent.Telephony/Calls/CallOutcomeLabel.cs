using VoiceAgent.Flows.Descriptors;
using VoiceAgent.Platform.Http;

namespace VoiceAgent.Telephony.Calls;

/// <summary>
/// How the portal names a call's outcome: the activity the call ended at, in the reader's language, and the node's name in
/// the flow (the author chose it, e.g. "Übergabe · handoff"); the node id alone when the flow version no longer knows it.
/// </summary>
public static class CallOutcomeLabel
{
    public static string For(ActivityRegistry activities, string nodeId, string? type)
    {
        if (type is null || !activities.TryGet(type, out var activity))
        {
            return nodeId;
        }

        var name = activity.Descriptor.DisplayName.For(Localization.IsGerman ? "de" : "en");
        return string.Equals(name, nodeId, StringComparison.OrdinalIgnoreCase) ? name : $"{name} · {nodeId}";
    }
}
