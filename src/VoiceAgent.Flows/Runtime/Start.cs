using VoiceAgent.Flows.Descriptors;

namespace VoiceAgent.Flows.Runtime;

/// <summary>Where every flow begins; exactly one per flow.</summary>
[Activity(Type, "Ablauf", "Start", "Start", DescriptionDe = "Hier beginnt jeder Ablauf.", DescriptionEn = "Every flow starts here.")]
[Outcome(Outcomes.Done, "Weiter", "Next")]
public sealed class Start : Activity
{
    public const string Type = "Start";

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context) => Completed(Outcomes.Done);
}
