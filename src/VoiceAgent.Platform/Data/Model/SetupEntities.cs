namespace VoiceAgent.Platform.Data;

/// <summary>The provider account a wizard's number runs through (setup_wizards.number_account).</summary>
public static class SetupNumberAccounts
{
    public const string PlatformTwilio = "platform_twilio";
    public const string OwnTwilio = "own_twilio";
    public const string Sipgate = "sipgate";
}

/// <summary>A tenant's setup wizard (0015_setup_wizard.sql): the open step and when each step was finished.</summary>
public sealed class SetupWizardState
{
    public Guid TenantId { get; set; }
    public short Step { get; set; } = 1;
    public string? Number { get; set; }
    public string? NumberAccount { get; set; }
    public DateTimeOffset? NumberDoneAt { get; set; }
    public DateTimeOffset? SpeechDoneAt { get; set; }
    public DateTimeOffset? PromptDoneAt { get; set; }
    public DateTimeOffset? CalendarDoneAt { get; set; }
    public Guid? FlowId { get; set; }
    public DateTimeOffset? PublishedAt { get; set; }
    public DateTimeOffset? TestCallAt { get; set; }
    public DateTimeOffset? SkippedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
