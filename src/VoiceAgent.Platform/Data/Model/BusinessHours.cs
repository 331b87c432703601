using System.Globalization;
using System.Text.Json;
using NodaTime;
using NodaTime.Text;

namespace VoiceAgent.Platform.Data;

/// <summary>
/// Opening hours per weekday in the tenant's time zone, stored as JSON
/// <c>{ "mon": ["09:00-12:00", "13:00-17:00"], …, "sun": [] }</c>.
/// </summary>
public sealed class BusinessHours
{
    public const string DefaultJson =
        """{"mon":["09:00-17:00"],"tue":["09:00-17:00"],"wed":["09:00-17:00"],"thu":["09:00-17:00"],"fri":["09:00-17:00"],"sat":[],"sun":[]}""";

    private static readonly string[] DayKeys = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    private static readonly LocalTimePattern TimePattern = LocalTimePattern.CreateWithInvariantCulture("HH:mm");

    private readonly Dictionary<IsoDayOfWeek, IReadOnlyList<(LocalTime Open, LocalTime Close)>> days;

    private BusinessHours(Dictionary<IsoDayOfWeek, IReadOnlyList<(LocalTime, LocalTime)>> days) => this.days = days;

    public static BusinessHours Default { get; } = Parse(DefaultJson);

    public IReadOnlyList<(LocalTime Open, LocalTime Close)> On(IsoDayOfWeek day) => days.GetValueOrDefault(day) ?? [];

    public bool IsOpen(LocalDateTime time) => On(time.DayOfWeek).Any(i => time.TimeOfDay >= i.Open && time.TimeOfDay < i.Close);

    /// <exception cref="FormatException">Not valid opening hours (German message).</exception>
    public static BusinessHours Parse(string json)
    {
        var days = new Dictionary<IsoDayOfWeek, IReadOnlyList<(LocalTime, LocalTime)>>();
        using var doc = JsonDocument.Parse(json);
        foreach (var property in doc.RootElement.EnumerateObject())
        {
            var index = Array.IndexOf(DayKeys, property.Name);
            if (index < 0 || property.Value.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException(VoiceAgent.Platform.Resources.Texts.Format("BusinessHours.UnknownDay", property.Name, string.Join(", ", DayKeys)));
            }

            var intervals = new List<(LocalTime, LocalTime)>();
            foreach (var item in property.Value.EnumerateArray())
            {
                var parts = (item.GetString() ?? "").Split('-', StringSplitOptions.TrimEntries);
                if (parts.Length != 2 || !TimePattern.Parse(parts[0]).TryGetValue(default, out var open)
                    || !TimePattern.Parse(parts[1]).TryGetValue(default, out var close) || close <= open)
                {
                    throw new FormatException(VoiceAgent.Platform.Resources.Texts.Format("BusinessHours.InvalidInterval", item));
                }

                intervals.Add((open, close));
            }

            days[(IsoDayOfWeek)(index + 1)] = intervals.OrderBy(i => i.Item1).ToList();
        }

        return new BusinessHours(days);
    }

    public string ToJson() => JsonSerializer.Serialize(DayKeys.Select((key, i) => (key, i)).ToDictionary(
        d => d.key,
        d => On((IsoDayOfWeek)(d.i + 1)).Select(x => $"{x.Open.ToString("HH:mm", CultureInfo.InvariantCulture)}-{x.Close.ToString("HH:mm", CultureInfo.InvariantCulture)}").ToArray()));
}
