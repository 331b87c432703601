namespace VoiceAgent.Billing;

internal static class Money
{
    /// <summary>Half up = away from zero (amounts are never negative here). Throws <see cref="OverflowException"/> beyond long.</summary>
    public static long RoundToCents(decimal cents) => (long)Math.Round(cents, 0, MidpointRounding.AwayFromZero);

    public static decimal Minutes(decimal seconds) => Math.Round(seconds / 60m, 4, MidpointRounding.AwayFromZero);
}
