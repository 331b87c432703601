namespace VoiceAgent.Flows.Runtime;

/// <summary>Why a run ended without an activity ending it.</summary>
public enum RunEndReason
{
    /// <summary>An outcome that leads nowhere: the flow is done.</summary>
    Completed,

    /// <summary>An unconnected <see cref="Outcomes.Failed"/> outcome.</summary>
    Failed,

    /// <summary>The run exceeded <see cref="FlowRunnerOptions.MaxSteps"/>.</summary>
    StepLimit,
}

/// <summary>
/// Closes the conversation when a run ends without an activity ending it (a phone call, for instance, apologises and
/// hangs up), so the other side is never left in silence. The engine only records the end; what is said and how the
/// conversation closes belongs to the activities' module. Implementations are found in the activity assemblies like
/// activities are (public, parameterless constructor, no state) and reach their ports through the context.
/// </summary>
public interface IRunEndHandler
{
    ValueTask RunEndedAsync(ActivityContext context, RunEndReason reason);
}
