using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using NodaTime;
using VoiceAgent.Platform;

namespace VoiceAgent.Billing;

/// <summary>
/// What is billed together: one calendar month in <see cref="BusinessTime.Zone"/>, whatever the tenant's country. The same
/// value travels from the monthly job through the run, the calculation and the usage sums to the stored invoice; its text
/// form is "2026-11" (CLI, query strings, JSON, Hangfire arguments), its German display "November 2026".
/// </summary>
/// <remarks>
/// Stored as months since January of year 1, so <c>default</c> is a valid period (0001-01) rather than a month 0.
/// </remarks>
[TypeConverter(typeof(BillingPeriodTypeConverter))]
[JsonConverter(typeof(BillingPeriodJsonConverter))]
public readonly record struct BillingPeriod : IComparable<BillingPeriod>, IParsable<BillingPeriod>
{
    private const int MaxIndex = 9999 * 12 - 1;

    private static readonly string[] GermanMonths =
        ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"];

    private readonly int index;

    public BillingPeriod(int year, int month)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(year, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(year, 9999);
        ArgumentOutOfRangeException.ThrowIfLessThan(month, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(month, 12);
        index = (year - 1) * 12 + month - 1;
    }

    private BillingPeriod(int index)
    {
        if (index is < 0 or > MaxIndex)
        {
            throw new ArgumentOutOfRangeException(nameof(index), "The period lies outside the years 1 to 9999.");
        }

        this.index = index;
    }

    public int Year => index / 12 + 1;

    public int Month => index % 12 + 1;

    public int DaysInMonth => CalendarSystem.Iso.GetDaysInMonth(Year, Month);

    public LocalDate FirstDay => new(Year, Month, 1);

    public LocalDate LastDay => new(Year, Month, DaysInMonth);

    /// <summary>The first moment of the month in Berlin (inclusive); from the zone's rules, so DST months are right.</summary>
    public Instant Start => FirstDay.AtStartOfDayInZone(BusinessTime.Zone).ToInstant();

    /// <summary>The first moment of the next month (exclusive): usage that starts at or after it belongs to the next period.</summary>
    public Instant End => Next.Start;

    public BillingPeriod Previous => PlusMonths(-1);

    public BillingPeriod Next => PlusMonths(1);

    /// <summary>"November 2026" — German whatever the UI language, because invoices are German.</summary>
    public string Display => $"{GermanMonths[Month - 1]} {Year.ToString(CultureInfo.InvariantCulture)}";

    public BillingPeriod PlusMonths(int months) => new(checked(index + months));

    public bool Contains(Instant instant) => instant >= Start && instant < End;

    public bool Contains(LocalDate date) => Of(date) == this;

    /// <summary>The period an instant falls into, on the Berlin calendar (23:30 UTC on 31 January is already February).</summary>
    public static BillingPeriod Containing(Instant instant) => Of(instant.InZone(BusinessTime.Zone).Date);

    public static BillingPeriod Containing(DateTimeOffset moment) => Containing(Instant.FromDateTimeOffset(moment));

    /// <summary>The month a (Berlin) calendar day belongs to.</summary>
    public static BillingPeriod Of(LocalDate date) => new(date.Year, date.Month);

    public static BillingPeriod Of(DateOnly date) => new(date.Year, date.Month);

    public int CompareTo(BillingPeriod other) => index.CompareTo(other.index);

    public static bool operator <(BillingPeriod left, BillingPeriod right) => left.index < right.index;

    public static bool operator >(BillingPeriod left, BillingPeriod right) => left.index > right.index;

    public static bool operator <=(BillingPeriod left, BillingPeriod right) => left.index <= right.index;

    public static bool operator >=(BillingPeriod left, BillingPeriod right) => left.index >= right.index;

    /// <summary>"2026-11": the one text form (ISO 8601 year and month).</summary>
    public override string ToString() =>
        $"{Year.ToString("0000", CultureInfo.InvariantCulture)}-{Month.ToString("00", CultureInfo.InvariantCulture)}";

    /// <summary>Exactly <c>YYYY-MM</c> (four-digit year, two-digit month, nothing around it).</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out BillingPeriod period)
    {
        period = default;
        if (text is not { Length: 7 } || text[4] != '-'
            || !int.TryParse(text.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var year)
            || !int.TryParse(text.AsSpan(5, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var month)
            || year < 1 || month is < 1 or > 12)
        {
            return false;
        }

        period = new BillingPeriod(year, month);
        return true;
    }

    /// <exception cref="FormatException">With the message for the user (BillingTexts: <see cref="BillingErrorCodes.InvalidPeriod"/>).</exception>
    public static BillingPeriod Parse(string? text) =>
        TryParse(text, out var period) ? period : throw new FormatException(BillingTexts.Format(BillingErrorCodes.InvalidPeriod, text));

    static BillingPeriod IParsable<BillingPeriod>.Parse(string s, IFormatProvider? provider) => Parse(s);

    // Minimal APIs bind route and query values through this.
    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out BillingPeriod result) => TryParse(s, out result);
}

/// <summary>"2026-11" in System.Text.Json (API payloads).</summary>
public sealed class BillingPeriodJsonConverter : JsonConverter<BillingPeriod>
{
    public override BillingPeriod Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        return BillingPeriod.TryParse(text, out var period)
            ? period
            : throw new JsonException(BillingTexts.Format(BillingErrorCodes.InvalidPeriod, text));
    }

    public override void Write(Utf8JsonWriter writer, BillingPeriod value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
}

/// <summary>
/// "2026-11" through TypeDescriptor: Json.NET, which Hangfire uses for job arguments, then stores a period as that string
/// instead of its (private) fields, so an enqueued job's argument stays readable and survives changes to the struct.
/// </summary>
public sealed class BillingPeriodTypeConverter : TypeConverter
{
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) =>
        sourceType == typeof(string) || base.CanConvertFrom(context, sourceType);

    public override bool CanConvertTo(ITypeDescriptorContext? context, Type? destinationType) =>
        destinationType == typeof(string) || base.CanConvertTo(context, destinationType);

    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
        value is string text ? BillingPeriod.Parse(text) : base.ConvertFrom(context, culture, value);

    public override object? ConvertTo(ITypeDescriptorContext? context, CultureInfo? culture, object? value, Type destinationType) =>
        destinationType == typeof(string) && value is BillingPeriod period ? period.ToString() : base.ConvertTo(context, culture, value, destinationType);
}
