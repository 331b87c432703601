namespace VoiceAgent.Telephony.Sipgate;

/// <summary>One item of GET /numbers. Unlike pushes, the REST API writes numbers with "+" ("+4921…").</summary>
public sealed record SipgateNumber
{
    public required string Id { get; init; }

    public required string Number { get; init; }

    public string? Localized { get; init; }

    /// <summary>MOBILE, LANDLINE, QUICKDIAL or INTERNATIONAL; kept as text so a new type does not break the list.</summary>
    public string? Type { get; init; }

    public string? EndpointId { get; init; }

    public string? EndpointAlias { get; init; }

    public string? EndpointUrl { get; init; }
}
