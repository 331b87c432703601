using NodaTime;

namespace VoiceAgent.CallFlows.Nlu;

/// <param name="PartOfDay">The part of day the caller said ("nachmittags"), also when it only served to read a
/// clock time ("um drei Uhr nachmittags" gives 15:00 and <see cref="Nlu.PartOfDay.Afternoon"/>).</param>
/// <param name="Digits">Numbers that were not part of a date or time, as a digit string ("4711" for a customer number).</param>
public sealed record NluResult(Intent Intent, LocalDate? Date, LocalTime? Time, PartOfDay? PartOfDay, string? Digits)
{
    public string IntentName => IntentNames.ToName(Intent);
}
