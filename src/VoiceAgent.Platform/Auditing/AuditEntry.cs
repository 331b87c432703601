namespace VoiceAgent.Platform.Auditing;

public sealed class AuditEntry
{
    public long Id { get; set; }
    public Guid? TenantId { get; set; }
    public Guid? ActorId { get; set; }
    public string? ActorEmail { get; set; }
    public required string Action { get; set; }
    public string? Details { get; set; }
    public string? Reason { get; set; }
    public DateTimeOffset At { get; set; }
}

public static class AuditActions
{
    public const string TenantRegistered = "tenant.registered";
    public const string TenantApproved = "tenant.approved";
    public const string TenantRejected = "tenant.rejected";
    public const string TenantSuspended = "tenant.suspended";
    public const string TenantReactivated = "tenant.reactivated";
    public const string UserAdded = "user.added";
    public const string UserRemoved = "user.removed";
    public const string UserLimitReached = "user.limit_reached";
    public const string SettingChanged = "setting.changed";
    public const string SettingCleared = "setting.cleared";
    public const string SuperAdminCreated = "superadmin.created";
    public const string FlowCreated = "flow.created";
    public const string FlowDraftSaved = "flow.draft_saved";
    public const string FlowStaged = "flow.staged";
    public const string FlowPublished = "flow.published";
    public const string FlowRolledBack = "flow.rolled_back";
    public const string FlowImported = "flow.imported";
    public const string FlowRenamed = "flow.renamed";
    public const string FlowDuplicated = "flow.duplicated";
    public const string FlowDeleted = "flow.deleted";
    public const string NumberBound = "number.bound";
    public const string NumberBindRefused = "number.bind_refused";
    public const string NumberReleased = "number.released";
    public const string NumberRepointed = "number.repointed";
    public const string TwilioAccountConnected = "twilio_account.connected";
    public const string TwilioAccountRefused = "twilio_account.refused";
    public const string TwilioAccountDisconnected = "twilio_account.disconnected";
    public const string SpeechChanged = "speech.changed";
    public const string SignInFailed = "auth.sign_in_failed";
    public const string SignInLocked = "auth.sign_in_locked";
    public const string SecondFactorFailed = "auth.second_factor_failed";
    public const string RecoveryCodeUsed = "auth.recovery_code_used";
    public const string UserUnlocked = "user.unlocked";
    public const string PasswordChanged = "user.password_changed";
    public const string TwoFactorEnabled = "user.2fa_enabled";
    public const string TwoFactorDisabled = "user.2fa_disabled";
    public const string TwoFactorReset = "user.2fa_reset";
    public const string RecoveryCodesRenewed = "user.recovery_codes_renewed";
}
