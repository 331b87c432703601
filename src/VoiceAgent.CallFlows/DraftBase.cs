namespace VoiceAgent.CallFlows;

/// <summary>
/// The draft revision an editor started from, for optimistic concurrency: <see cref="From"/>(null) means "I started from
/// a version that is not the draft", so any existing draft is a conflict. <see cref="Unchecked"/> is for clients that
/// send no revision at all (CLI, scripts, API users from before revisions existed): their save always wins.
/// </summary>
public readonly record struct DraftBase(bool Checked, int? Revision)
{
    public static DraftBase Unchecked => default;

    public static DraftBase From(int? revision) => new(true, revision);
}
