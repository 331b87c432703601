namespace VoiceAgent.Platform.Tenancy;

public enum TenantStatus
{
    Pending,
    Approved,
    Rejected,
    Suspended,
}

public static class TenantStatusNames
{
    public static string ToApi(this TenantStatus status) => status.ToString().ToLowerInvariant();

    public static bool TryParseApi(string? value, out TenantStatus status) =>
        Enum.TryParse(value, ignoreCase: true, out status) && Enum.IsDefined(status)
        && !int.TryParse(value, out _);
}
