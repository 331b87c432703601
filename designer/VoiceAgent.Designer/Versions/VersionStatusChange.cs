namespace VoiceAgent.Designer.Versions;

/// <summary>The open version's status after the versions panel loaded or changed something, so the host updates its label
/// (and stops treating the open version as a draft when it is not one any more).</summary>
/// <param name="Version">The open version (the panel's <c>OpenVersion</c>).</param>
/// <param name="Status">Its status now: "draft", "staged", "live" or "retired".</param>
/// <param name="Message">After a successful stage, publish or rollback: the confirmation to show in the designer's message
/// area (e.g. "Version 1 ist wieder live."); null when the status changed without an action of the panel.</param>
public sealed record VersionStatusChange(int Version, string Status, string? Message = null);
