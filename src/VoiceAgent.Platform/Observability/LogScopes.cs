namespace VoiceAgent.Platform.Observability;

/// <summary>
/// Logging scopes that put the tenant (and the call) on every log line written inside them — the JSON console log shows
/// them as properties of the line's scope. Only ids: never a phone number, a name or a credential.
/// </summary>
public static class LogScopes
{
    public const string TenantId = "TenantId";
    public const string CallSid = "CallSid";

    public static IDisposable? BeginTenantScope(this ILogger logger, Guid tenantId) =>
        logger.BeginScope(new Dictionary<string, object> { [TenantId] = tenantId });

    /// <param name="callSid">The provider's call id (Twilio CallSid, sipgate callId).</param>
    public static IDisposable? BeginCallScope(this ILogger logger, Guid tenantId, string callSid) =>
        logger.BeginScope(new Dictionary<string, object> { [TenantId] = tenantId, [CallSid] = callSid });
}
