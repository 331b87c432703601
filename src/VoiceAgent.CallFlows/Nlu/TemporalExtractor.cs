using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using NodaTime;

namespace VoiceAgent.CallFlows.Nlu;

internal readonly record struct TemporalResult(LocalDate? Date, LocalTime? Time, PartOfDay? PartOfDay, string? Digits)
{
    public bool HasAny => Date is not null || Time is not null || PartOfDay is not null;
}

/// <summary>
/// Finds one date, one clock time and one part of day in a tokenized utterance. The readers run from the most
/// specific pattern to the most general one and mark the tokens they use, so "in drei Tagen" is not read again as
/// "drei" o'clock and "Guten Morgen" never becomes tomorrow. The first match of each kind wins.
/// The rules and their documented choices are listed on <see cref="GermanNlu"/>.
/// </summary>
internal sealed partial class TemporalExtractor
{
    private enum WeekdayMode
    {
        OnOrAfterToday,
        Next,
        AfterNext,
    }

    private enum Unit
    {
        Day,
        Week,
        Month,
        Year,
        Hour,
        Minute,
    }

    // Keys are folded like caller text ("März" → "maerz"); "Jänner"/"Feber" are Austrian, "Juno"/"Julei" are how
    // people say June and July on the phone so they are not confused.
    private static readonly FrozenDictionary<string, int> Months = new Dictionary<string, int>
    {
        ["januar"] = 1, ["jaenner"] = 1, ["februar"] = 2, ["feber"] = 2, ["maerz"] = 3, ["april"] = 4,
        ["mai"] = 5, ["juni"] = 6, ["juno"] = 6, ["juli"] = 7, ["julei"] = 7, ["august"] = 8,
        ["september"] = 9, ["oktober"] = 10, ["november"] = 11, ["dezember"] = 12,
    }.ToFrozenDictionary();

    private static readonly FrozenDictionary<string, IsoDayOfWeek> Weekdays = new Dictionary<string, IsoDayOfWeek>
    {
        ["montag"] = IsoDayOfWeek.Monday, ["dienstag"] = IsoDayOfWeek.Tuesday, ["mittwoch"] = IsoDayOfWeek.Wednesday,
        ["donnerstag"] = IsoDayOfWeek.Thursday, ["freitag"] = IsoDayOfWeek.Friday, ["samstag"] = IsoDayOfWeek.Saturday,
        ["sonnabend"] = IsoDayOfWeek.Saturday, ["sonntag"] = IsoDayOfWeek.Sunday,
    }.ToFrozenDictionary();

    private static readonly FrozenDictionary<string, Unit> Units = new Dictionary<string, Unit>
    {
        ["tag"] = Unit.Day, ["tage"] = Unit.Day, ["tagen"] = Unit.Day,
        ["woche"] = Unit.Week, ["wochen"] = Unit.Week,
        ["monat"] = Unit.Month, ["monate"] = Unit.Month, ["monaten"] = Unit.Month,
        ["jahr"] = Unit.Year, ["jahre"] = Unit.Year, ["jahren"] = Unit.Year,
        ["stunde"] = Unit.Hour, ["stunden"] = Unit.Hour,
        ["minute"] = Unit.Minute, ["minuten"] = Unit.Minute,
    }.ToFrozenDictionary();

    private static readonly FrozenDictionary<string, PartOfDay> PartsOfDay = new Dictionary<string, PartOfDay>
    {
        ["vormittag"] = PartOfDay.Morning, ["vormittags"] = PartOfDay.Morning, ["morgens"] = PartOfDay.Morning,
        ["morgen"] = PartOfDay.Morning, ["frueh"] = PartOfDay.Morning,
        ["nachmittag"] = PartOfDay.Afternoon, ["nachmittags"] = PartOfDay.Afternoon,
        ["abend"] = PartOfDay.Evening, ["abends"] = PartOfDay.Evening,
    }.ToFrozenDictionary();

    private static readonly FrozenSet<string> Greetings = Lexicon.Words(
        "guten", "gute", "schönen", "schönes", "schöne", "angenehmen", "erholsamen", "erholsames");

    private static readonly FrozenSet<string> GreetedWords = Lexicon.Words(
        "morgen", "tag", "abend", "nachmittag", "mittag", "nacht", "wochenende", "feierabend", "sonntag", "samstag");

    // Words after which a bare number is a quantity, not an hour or a minute: "um 2 Tage", "ab 4 Personen".
    private static readonly FrozenSet<string> CountNouns = Lexicon.Words(
        "tag", "tage", "tagen", "woche", "wochen", "monat", "monate", "monaten", "jahr", "jahre", "jahren",
        "stunde", "stunden", "minute", "minuten", "personen", "person", "leute", "leuten", "mal", "euro", "prozent", "kinder");

    private static readonly FrozenSet<string> NextQualifiers = Lexicon.Words(
        "nächste", "nächsten", "nächster", "nächstes", "kommende", "kommenden", "kommender", "kommendes");

    private static readonly FrozenSet<string> AfterNextQualifiers = Lexicon.Words(
        "übernächste", "übernächsten", "übernächster", "übernächstes");

    private static readonly FrozenSet<string> ThisQualifiers = Lexicon.Words("diese", "dieser", "diesen", "dieses");

    // "am Dienstag", "heute Morgen": "morgen" after these words is the morning, not tomorrow.
    private static readonly FrozenSet<string> MorningAnchors = Lexicon.Words(
        "heute", "gestern", "vorgestern", "übermorgen", "morgen", "am", "jeden", "den", "diesen");

    private static readonly FrozenSet<string> DayPrepositions = Lexicon.Words("am", "den", "zum", "vom", "der", "dem", "bis");

    // A day-only ordinal ("am zwanzigsten") must not swallow "den ersten freien Termin" or "zum ersten Mal",
    // so the next word has to be one that can follow a date.
    private static readonly FrozenSet<string> DateFollowers = Lexicon.Words(
        "um", "gegen", "ab", "bis", "so", "im", "des", "dieses", "diesen", "nächsten", "kommenden", "oder", "und",
        "ist", "wäre", "wär", "passt", "geht", "bitte", "vormittags", "nachmittags", "abends", "morgens", "früh",
        "vormittag", "nachmittag", "abend", "mittag", "mittags", "zwischen", "dann", "gern", "gerne", "möglich",
        "ja", "nein", "vielleicht", "auch", "noch", "da", "bei", "in", "für", "frei", "uhr");

    private static readonly FrozenSet<string> CorrectionWords = Lexicon.Words(
        "lieber", "sondern", "stattdessen", "besser", "eher", "quatsch", "korrektur");

    private static readonly FrozenSet<string> NotEarly = Lexicon.Words("zu", "so", "wie", "möglichst");

    private readonly IReadOnlyList<Token> _t;
    private readonly bool[] _used;
    private readonly ZonedDateTime _zonedNow;
    private readonly LocalDateTime _now;

    private LocalDate? _date;
    private int? _dayOffset;
    private IsoDayOfWeek? _weekday;
    private WeekdayMode _weekdayMode;
    private int? _weekOffset;
    private IsoDayOfWeek? _weekPart;
    private int? _weekendOffset;
    private bool _nextMonth;
    private Period? _period;
    private int? _minutesAhead;
    private int? _hour;
    private int _minute;
    private bool _clockIs24h;
    private PartOfDay? _partOfDay;
    private bool _noon;
    private bool _night;

    private TemporalExtractor(IReadOnlyList<Token> tokens, ZonedDateTime now)
    {
        _t = tokens;
        _used = new bool[tokens.Count];
        _zonedNow = now;
        _now = now.LocalDateTime;
    }

    private LocalDate Today => _now.Date;

    /// <summary>
    /// Callers correct themselves: "Freitag passt nicht, lieber Montag", "Dienstag, quatsch, Mittwoch". What follows
    /// the last correction word overrides the parts it mentions; the rest comes from the whole utterance.
    /// </summary>
    public static TemporalResult Extract(IReadOnlyList<Token> tokens, ZonedDateTime now)
    {
        var whole = Run(tokens, now);
        var correction = LastCorrection(tokens);
        if (correction < 0)
        {
            return whole;
        }

        var tail = Run(tokens.Skip(correction + 1).ToList(), now);
        return new TemporalResult(tail.Date ?? whole.Date, tail.Time ?? whole.Time, tail.PartOfDay ?? whole.PartOfDay, whole.Digits);
    }

    private static int LastCorrection(IReadOnlyList<Token> tokens)
    {
        for (var i = tokens.Count - 1; i >= 0; i--)
        {
            var isMarker = CorrectionWords.Contains(tokens[i].Text)
                || (tokens[i].Text is "mein" or "meine" or "meinte" && i > 0 && tokens[i - 1].Text == "ich");
            if (isMarker)
            {
                return i;
            }
        }

        return -1;
    }

    private static TemporalResult Run(IReadOnlyList<Token> tokens, ZonedDateTime now)
    {
        var x = new TemporalExtractor(tokens, now);
        x.SkipGreetings();
        x.ReadClockAndDateTokens();
        x.ReadOffsets();
        x.ReadWeekReferences();
        x.ReadDayAndMonth();
        x.ReadTime();
        x.ReadDayOfMonth();
        x.ReadRelativeDays();
        x.ReadWeekday();
        x.ReadPartsOfDay();
        return x.Build();
    }

    // "Guten Morgen", "schönen Abend noch", "schönes Wochenende": greetings, not times.
    private void SkipGreetings()
    {
        for (var i = 1; i < _t.Count; i++)
        {
            if (IsWordIn(i, GreetedWords) && IsWordIn(i - 1, Greetings))
            {
                Use(i - 1, 2);
            }
        }
    }

    private void ReadClockAndDateTokens()
    {
        for (var i = 0; i < _t.Count; i++)
        {
            var t = _t[i];
            if (t.Kind == TokenKind.Clock && _hour is null)
            {
                SetTime(new ClockMatch(i, IsWord(i + 1, "uhr") ? 2 : 1, t.Hour, t.Minute, t.LeadingZero));
            }
            else if (t.Kind == TokenKind.Date && _date is null && MakeDate(t.Day, t.Month, t.Year) is { } date)
            {
                _date = date;
                Use(i, 1);
            }
        }
    }

    // "in drei Tagen", "in einer Woche", "in einer halben Stunde"
    private void ReadOffsets()
    {
        for (var i = 0; i + 2 < _t.Count; i++)
        {
            if (!IsWord(i, "in"))
            {
                continue;
            }

            if ((IsWord(i + 1, "einer") && IsWord(i + 2, "halben") || IsWord(i + 1, "anderthalb"))
                && TryUnit(IsWord(i + 1, "anderthalb") ? i + 2 : i + 3, out var halfUnit) && halfUnit == Unit.Hour)
            {
                var len = IsWord(i + 1, "anderthalb") ? 3 : 4;
                _minutesAhead ??= len == 3 ? 90 : 30;
                Use(i, len);
                continue;
            }

            if (!TryCount(i + 1, out var n) || !TryUnit(i + 2, out var unit))
            {
                continue;
            }

            switch (unit)
            {
                // "in acht Tagen" is the German idiom for one week (as "in vierzehn Tagen" is two).
                case Unit.Day: _period ??= Period.FromDays(n == 8 ? 7 : n); break;
                case Unit.Week: _period ??= Period.FromWeeks(n); break;
                case Unit.Month: _period ??= Period.FromMonths(n); break;
                case Unit.Year: _period ??= Period.FromYears(n); break;
                case Unit.Hour: _minutesAhead ??= n * 60; break;
                case Unit.Minute: _minutesAhead ??= n; break;
            }

            Use(i, 3);
        }
    }

    // "nächste Woche", "Ende der Woche", "übernächste Woche", "am Wochenende", "nächsten Monat"
    private void ReadWeekReferences()
    {
        for (var i = 1; i < _t.Count; i++)
        {
            var word = WordAt(i);
            int? offset = WeekQualifier(i - 1);
            if (word is "woche")
            {
                var part = WeekPart(i - 2);
                if (offset is null && IsWord(i - 1, "der") && part is not null)
                {
                    offset = 0;
                }

                if (offset is null || _weekOffset is not null)
                {
                    continue;
                }

                _weekOffset = offset;
                _weekPart = part;
                Use(part is null ? i - 1 : i - 2, part is null ? 2 : 3);
            }
            else if (word is "wochenende" && _weekendOffset is null)
            {
                _weekendOffset = offset ?? 0;
                Use(i, 1);
            }
            else if (word is "monat" or "monats" && offset == 1)
            {
                _nextMonth = true;
                Use(i - 1, 2);
            }
        }
    }

    // "am 3. Dezember", "dritten Dezember 2026", "am dritten zwölften", "3. 12."
    private void ReadDayAndMonth()
    {
        for (var i = 0; i + 1 < _t.Count && _date is null; i++)
        {
            if (!TryDay(i, out var day, out var isOrdinal))
            {
                continue;
            }

            int month;
            if (At(i + 1) is { Kind: TokenKind.Word } m && Months.TryGetValue(m.Text, out var named))
            {
                month = named;
            }
            else if (isOrdinal && TryOrdinal(i + 1, out var numbered) && numbered <= 12)
            {
                month = numbered;
            }
            else
            {
                continue;
            }

            var length = 2;
            int? year = null;
            if (At(i + 2) is { Kind: TokenKind.Number, Value: >= 1900 and <= 2199 } y)
            {
                year = y.Value;
                length = 3;
            }

            if (MakeDate(day, month, year) is { } date)
            {
                _date = date;
                Use(i, length);
            }
        }
    }

    // "am zwanzigsten", "den 3.", "am 20": the next such day in this or a following month.
    private void ReadDayOfMonth()
    {
        for (var i = 1; i < _t.Count && _date is null; i++)
        {
            if (!IsWordIn(i - 1, DayPrepositions) || !FollowerAllowsDate(i + 1))
            {
                continue;
            }

            // Speech recognizers often drop the period: "am 20" is a day, "der 20" needs "der 20.".
            var loosePreposition = WordAt(i - 1) is "am" or "den" or "zum" or "vom";
            var isDay = TryOrdinal(i, out var day) || (loosePreposition && At(i) is { Kind: TokenKind.Number } && TryNumber(i, out day));
            if (isDay && day is >= 1 and <= 31)
            {
                _date = NextDayOfMonth(day);
                Use(i, 1);
            }
        }
    }

    private void ReadRelativeDays()
    {
        for (var i = 0; i < _t.Count && _dayOffset is null; i++)
        {
            _dayOffset = WordAt(i) switch
            {
                "heute" => 0,
                "morgen" when !FollowsDayWord(i) => 1,
                "uebermorgen" => 2,
                "gestern" => -1,
                "vorgestern" => -2,
                _ => null,
            };
            if (_dayOffset is not null)
            {
                Use(i, 1);
            }
        }
    }

    private void ReadWeekday()
    {
        for (var i = 0; i < _t.Count; i++)
        {
            if (!IsWeekday(i, out var day))
            {
                continue;
            }

            _weekday = day;
            _weekdayMode = IsWordIn(i - 1, AfterNextQualifiers) ? WeekdayMode.AfterNext
                : IsWordIn(i - 1, NextQualifiers) ? WeekdayMode.Next
                : WeekdayMode.OnOrAfterToday;
            Use(i, 1);
            return;
        }
    }

    private void ReadPartsOfDay()
    {
        for (var i = 0; i < _t.Count; i++)
        {
            var word = WordAt(i);
            if (PartsOfDay.TryGetValue(word, out var part) && _partOfDay is null)
            {
                if ((word == "frueh" && IsWordIn(i - 1, NotEarly)) || (word == "morgen" && !FollowsDayWord(i)))
                {
                    continue;
                }

                _partOfDay = part;
                Use(i, 1);
            }
            else if (word is "mittag" or "mittags" or "mittagszeit" or "mittagspause")
            {
                _noon = true;
                Use(i, 1);
            }
            else if (word is "nacht" or "nachts")
            {
                _night = true;
                Use(i, 1);
            }
            else if (word is "mitternacht" && _hour is null)
            {
                SetTime(new ClockMatch(i, 1, 0, 0, Is24h: true));
            }
        }
    }

    private TemporalResult Build()
    {
        var time = BuildTime();
        var date = BuildDate(time);
        if (_minutesAhead is int minutes && time is null)
        {
            // Elapsed time, so "in einer Stunde" at 01:30 on the spring-forward night is 03:30.
            var at = _zonedNow.Plus(Duration.FromMinutes(minutes)).LocalDateTime;
            date ??= at.Date;
            time = new LocalTime(at.Hour, at.Minute);
        }

        return new TemporalResult(date, time, _partOfDay, CollectDigits());
    }

    private LocalDate? BuildDate(LocalTime? time)
    {
        if (_date is { } explicitDate)
        {
            return explicitDate;
        }

        LocalDate? anchor = null;
        if (_dayOffset is int days)
        {
            anchor = Today.PlusDays(days);
        }
        else if (_weekday is { } weekday)
        {
            anchor = _weekOffset is int weeks
                ? StartOfWeek(weeks).PlusDays((int)weekday - 1)
                : ResolveWeekday(weekday, time);
        }
        else if (_weekOffset is int weeks)
        {
            anchor = _weekPart is { } part ? Max(StartOfWeek(weeks).PlusDays((int)part - 1), Today)
                : weeks == 0 ? Today
                : StartOfWeek(weeks);
        }
        else if (_weekendOffset is int weekendWeeks)
        {
            anchor = Today.With(DateAdjusters.NextOrSame(IsoDayOfWeek.Saturday)).PlusWeeks(weekendWeeks);
        }
        else if (_nextMonth)
        {
            anchor = Today.With(DateAdjusters.StartOfMonth).PlusMonths(1);
        }

        return _period is { } period ? (anchor ?? Today).Plus(period) : anchor;
    }

    private LocalDate ResolveWeekday(IsoDayOfWeek weekday, LocalTime? time)
    {
        switch (_weekdayMode)
        {
            case WeekdayMode.Next:
                return Today.With(DateAdjusters.Next(weekday));
            case WeekdayMode.AfterNext:
                return Today.With(DateAdjusters.Next(weekday)).PlusWeeks(1);
            default:
                var date = Today.With(DateAdjusters.NextOrSame(weekday));
                return date == Today && time < _now.TimeOfDay ? date.PlusWeeks(1) : date;
        }
    }

    private LocalDate StartOfWeek(int weeksAhead) =>
        Today.With(DateAdjusters.PreviousOrSame(IsoDayOfWeek.Monday)).PlusWeeks(weeksAhead);

    private static LocalDate Max(LocalDate a, LocalDate b) => a > b ? a : b;

    /// <summary>A day and month without a year mean the next such date from today on ("am 3. Januar" said in November is next year).</summary>
    private LocalDate? MakeDate(int day, int month, int? year)
    {
        if (year is int y)
        {
            return IsValid(y, month, day) ? new LocalDate(y, month, day) : null;
        }

        for (var candidate = Today.Year; candidate <= Today.Year + 4; candidate++)
        {
            if (IsValid(candidate, month, day) && new LocalDate(candidate, month, day) >= Today)
            {
                return new LocalDate(candidate, month, day);
            }
        }

        return null;
    }

    private LocalDate? NextDayOfMonth(int day)
    {
        var month = Today.With(DateAdjusters.StartOfMonth);
        for (var k = 0; k <= 12; k++, month = month.PlusMonths(1))
        {
            if (IsValid(month.Year, month.Month, day) && new LocalDate(month.Year, month.Month, day) >= Today)
            {
                return new LocalDate(month.Year, month.Month, day);
            }
        }

        return null;
    }

    private static bool IsValid(int year, int month, int day) =>
        month is >= 1 and <= 12 && day >= 1 && day <= CalendarSystem.Iso.GetDaysInMonth(year, month);

    private bool TryCount(int i, out int count)
    {
        if (At(i) is { Kind: TokenKind.Word } w && GermanNumbers.IsOneArticle(w.Text))
        {
            count = 1;
            return true;
        }

        return TryNumber(i, out count) && count is >= 1 and <= 999;
    }

    private bool TryUnit(int i, out Unit unit)
    {
        unit = default;
        return At(i) is { Kind: TokenKind.Word } w && Units.TryGetValue(w.Text, out unit);
    }

    private bool TryDay(int i, out int day, out bool isOrdinal)
    {
        isOrdinal = TryOrdinal(i, out day);
        return isOrdinal || (TryNumber(i, out day) && day is >= 1 and <= 31);
    }

    // "3." or "dritten"
    private bool TryOrdinal(int i, out int value)
    {
        if (At(i) is { Kind: TokenKind.Number, Dotted: true, Value: >= 1 and <= 31 } n)
        {
            value = n.Value;
            return true;
        }

        value = 0;
        return At(i) is { Kind: TokenKind.Word } w && GermanNumbers.TryOrdinal(w.Text, out value);
    }

    // Digits or a number word; "ein"/"eine" are articles and not numbers here.
    private bool TryNumber(int i, out int value)
    {
        switch (At(i))
        {
            case { Kind: TokenKind.Number, Value: >= 0 } n:
                value = n.Value;
                return true;
            case { Kind: TokenKind.Word } w when GermanNumbers.TryCardinal(w.Text, out value):
                return true;
            default:
                value = 0;
                return false;
        }
    }

    private bool IsWeekday(int i, out IsoDayOfWeek day)
    {
        day = default;
        var word = i >= 0 && i < _t.Count && _t[i].Kind == TokenKind.Word ? _t[i].Text : "";
        return Weekdays.TryGetValue(word, out day) || (word.EndsWith('s') && Weekdays.TryGetValue(word[..^1], out day));
    }

    // "heute Morgen", "Montag Morgen", "am Morgen": here "morgen" is the morning, not tomorrow.
    private bool FollowsDayWord(int i) =>
        i > 0 && _t[i - 1].Kind == TokenKind.Word && (MorningAnchors.Contains(_t[i - 1].Text) || IsWeekday(i - 1, out _));

    private int? WeekQualifier(int i) =>
        IsWordIn(i, NextQualifiers) ? 1
        : IsWordIn(i, AfterNextQualifiers) ? 2
        : IsWordIn(i, ThisQualifiers) ? 0
        : null;

    private IsoDayOfWeek? WeekPart(int i) => WordAt(i) switch
    {
        "anfang" => IsoDayOfWeek.Monday,
        "mitte" => IsoDayOfWeek.Wednesday,
        "ende" => IsoDayOfWeek.Friday,
        _ => null,
    };

    private bool FollowerAllowsDate(int i)
    {
        if (i >= _t.Count || _t[i].Clause != _t[i - 1].Clause)
        {
            return true;
        }

        var next = _t[i];
        return next.Kind != TokenKind.Word
            || DateFollowers.Contains(next.Text)
            || Months.ContainsKey(next.Text)
            || IsWeekday(i, out _);
    }

    private string? CollectDigits()
    {
        var sb = new StringBuilder();
        for (var i = 0; i < _t.Count; i++)
        {
            if (_used[i])
            {
                continue;
            }

            if (_t[i].Kind == TokenKind.Number)
            {
                sb.Append(_t[i].Text);
            }
            else if (_t[i].Kind == TokenKind.Word && GermanNumbers.TryCardinal(_t[i].Text, out var n))
            {
                sb.Append(n.ToString(CultureInfo.InvariantCulture));
            }
        }

        return sb.Length > 0 ? sb.ToString() : null;
    }

    private Token? At(int i) => i >= 0 && i < _t.Count && !_used[i] ? _t[i] : null;

    private string WordAt(int i) => At(i) is { Kind: TokenKind.Word } t ? t.Text : "";

    private bool IsWord(int i, string word) => WordAt(i) == word;

    private bool IsWordIn(int i, IReadOnlySet<string> words) => words.Contains(WordAt(i));

    private void Use(int start, int length)
    {
        for (var i = Math.Max(0, start); i < Math.Min(_t.Count, start + length); i++)
        {
            _used[i] = true;
        }
    }
}
