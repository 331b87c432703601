namespace VoiceAgent.Platform.Security;

/// <summary>The only form in which a stored secret is ever shown: its type prefix and the last four characters.</summary>
public static class SecretHint
{
    public static string For(string secret)
    {
        if (secret.Length < 12)
        {
            return "…";
        }

        // "sk_live_…a1b2": keep a vendor prefix up to its last underscore within the first 8 characters.
        var cut = secret.LastIndexOf('_', 7);
        var prefix = cut >= 1 ? secret[..(cut + 1)] : secret[..4];
        return prefix + "…" + secret[^4..];
    }
}
