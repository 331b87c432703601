using NodaTime;
using VoiceAgent.Activities.Ports;
using VoiceAgent.CallFlows.Nlu;

namespace VoiceAgent.CallFlows;

/// <summary>The offline German NLU behind the Listen activity, resolving dates in the tenant's time zone.</summary>
public sealed class NluUnderstanding(DateTimeZone zone, TimeProvider time) : ILanguageUnderstanding
{
    public ValueTask<Understanding> UnderstandAsync(string text, CancellationToken cancellationToken)
    {
        var now = Instant.FromDateTimeOffset(time.GetUtcNow()).InZone(zone);
        var result = GermanNlu.Parse(text, now);
        bool? yesNo = GermanNlu.TryParseYesNo(text, out var yes) ? yes : null;
        return ValueTask.FromResult(new Understanding(
            result.IntentName,
            result.Date?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            result.Time?.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture),
            result.PartOfDay?.ToString().ToLowerInvariant(),
            result.Digits,
            yesNo));
    }

    public static string IntentOf(string text, DateTimeZone zone, TimeProvider time) =>
        GermanNlu.Parse(text, Instant.FromDateTimeOffset(time.GetUtcNow()).InZone(zone)).IntentName;
}
