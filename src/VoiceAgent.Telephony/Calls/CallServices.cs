namespace VoiceAgent.Telephony.Calls;

/// <summary>The call handlers a provider webhook uses, bound with <c>[AsParameters]</c> (eShop's CatalogServices).</summary>
public sealed class CallServices(CallStarted started, CallerTurn callerTurn, DialLegEnded dialLegEnded, CallCompleted completed, CallStream stream,
    TenantCalls calls)
{
    public CallStarted Started { get; } = started;

    public CallerTurn CallerTurn { get; } = callerTurn;

    public DialLegEnded DialLegEnded { get; } = dialLegEnded;

    public CallCompleted Completed { get; } = completed;

    public CallStream Stream { get; } = stream;

    public TenantCalls Calls { get; } = calls;
}
