using NodaTime;

namespace VoiceAgent.CallFlows.Nlu;

/// <summary>Clock times: "um 10", "15 Uhr 30", "halb drei", "Viertel vor zehn", "fünf vor halb vier", and the
/// 12-hour to 24-hour reading.</summary>
internal sealed partial class TemporalExtractor
{
    private readonly record struct ClockMatch(int Start, int Length, int Hour, int Minute, bool Is24h);

    // The first clock time wins; later ones ("um 9 oder um 10") are only marked so they do not end up as digits.
    private void ReadTime()
    {
        for (var i = 0; i < _t.Count; i++)
        {
            if (TryClockPhrase(i, out var clock)
                || (IsWordIn(i, GermanText.TimePrepositions) && (TryClockPhrase(i + 1, out clock) || TryPlainHour(i + 1, out clock))))
            {
                if (_hour is null)
                {
                    SetTime(clock);
                }
                else
                {
                    Use(clock.Start, clock.Length);
                }
            }
        }
    }

    private bool TryClockPhrase(int i, out ClockMatch match)
    {
        match = default;
        var t = At(i);
        if (t is null)
        {
            return false;
        }

        if (t.Kind == TokenKind.Clock)
        {
            match = new ClockMatch(i, 1 + Uhr(i + 1), t.Hour, t.Minute, t.LeadingZero);
            return true;
        }

        int hour;
        if (IsWord(i, "halb") && TryHour12(i + 1, out hour))
        {
            match = new ClockMatch(i, 2 + Uhr(i + 2), HourBefore(hour), 30, false);
        }
        else if (IsWord(i, "viertel") && IsWord(i + 1, "nach") && TryHour12(i + 2, out hour))
        {
            match = new ClockMatch(i, 3 + Uhr(i + 3), hour, 15, false);
        }
        else if (IsWord(i, "viertel") && IsWord(i + 1, "vor") && TryHour12(i + 2, out hour))
        {
            match = new ClockMatch(i, 3 + Uhr(i + 3), HourBefore(hour), 45, false);
        }
        else if (IsWord(i, "viertel") && TryHour12(i + 1, out hour))
        {
            // Regional (East and South German): "viertel zehn" is 9:15.
            match = new ClockMatch(i, 2 + Uhr(i + 2), HourBefore(hour), 15, false);
        }
        else if (IsWord(i, "dreiviertel") && TryHour12(i + 1, out hour))
        {
            match = new ClockMatch(i, 2 + Uhr(i + 2), HourBefore(hour), 45, false);
        }
        else if (IsWord(i, "drei") && IsWord(i + 1, "viertel") && TryHour12(i + 2, out hour))
        {
            match = new ClockMatch(i, 3 + Uhr(i + 3), HourBefore(hour), 45, false);
        }
        else if (TryMinutesPastOrTo(i, out var minutes) && (IsWord(i + 1, "nach") || IsWord(i + 1, "vor")))
        {
            var past = IsWord(i + 1, "nach");
            if (IsWord(i + 2, "halb") && TryHour12(i + 3, out hour))
            {
                // "fünf vor halb vier" = 3:25, "fünf nach halb vier" = 3:35
                match = new ClockMatch(i, 4 + Uhr(i + 4), HourBefore(hour), past ? 30 + minutes : 30 - minutes, false);
            }
            else if (TryHour(i + 2, out hour, out var is24h))
            {
                match = past
                    ? new ClockMatch(i, 3 + Uhr(i + 3), hour, minutes, is24h)
                    : new ClockMatch(i, 3 + Uhr(i + 3), HourBefore(hour), 60 - minutes, is24h);
            }
            else
            {
                return false;
            }
        }
        else if (TryHour(i, out hour, out var is24h) && IsWord(i + 1, "uhr"))
        {
            // "15 Uhr 30", "fünfzehn Uhr dreißig"
            match = TryMinute(i + 2, out var minute)
                ? new ClockMatch(i, 3, hour, minute, is24h)
                : new ClockMatch(i, 2, hour, 0, is24h);
        }
        else
        {
            return false;
        }

        return true;
    }

    // After "um", "gegen", "ab": "um 10", "gegen zehn dreißig", "um 1830"
    private bool TryPlainHour(int i, out ClockMatch match)
    {
        match = default;
        if (At(i) is { Kind: TokenKind.Number, Text.Length: 3 or 4, Value: var hhmm } && hhmm / 100 <= 24 && hhmm % 100 <= 59)
        {
            match = new ClockMatch(i, 1 + Uhr(i + 1), hhmm / 100, hhmm % 100, Is24h: true);
            return true;
        }

        if (!TryHour(i, out var hour, out var is24h) || IsWordIn(i + 1, CountNouns))
        {
            return false;
        }

        match = TryMinute(i + 1, out var minute) && minute >= 10
            ? new ClockMatch(i, 2, hour, minute, is24h)
            : new ClockMatch(i, 1, hour, 0, is24h);
        return true;
    }

    private static int HourBefore(int hour) => hour switch
    {
        0 => 23,
        1 => 12,
        _ => hour - 1,
    };

    private int Uhr(int i) => IsWord(i, "uhr") ? 1 : 0;

    private bool TryHour(int i, out int hour, out bool is24h)
    {
        is24h = At(i) is { LeadingZero: true };
        if (At(i) is { Kind: TokenKind.Word } w && GermanNumbers.IsOneArticle(w.Text) && IsWord(i + 1, "uhr"))
        {
            hour = 1;
            return true;
        }

        return TryNumber(i, out hour) && hour <= 24;
    }

    private bool TryHour12(int i, out int hour) => TryHour(i, out hour, out _) && hour is >= 1 and <= 12;

    private bool TryMinute(int i, out int minute) => TryNumber(i, out minute) && minute <= 59 && !IsWordIn(i + 1, CountNouns);

    // "zehn nach drei", "fünf vor halb vier"; "3. vor" is not a minute count.
    private bool TryMinutesPastOrTo(int i, out int minutes)
    {
        minutes = 0;
        return At(i) is { Dotted: false } && TryNumber(i, out minutes) && minutes is >= 1 and <= 29;
    }

    private LocalTime? BuildTime()
    {
        if (_hour is not int hour)
        {
            return _noon ? new LocalTime(12, 0) : null;
        }

        if (!_clockIs24h)
        {
            hour = To24Hour(hour);
        }

        return new LocalTime(hour % 24, _minute);
    }

    private int To24Hour(int hour)
    {
        if (hour is < 1 or > 12)
        {
            return hour;
        }

        if (_night)
        {
            return hour == 12 ? 0 : hour >= 8 ? hour + 12 : hour;
        }

        return _partOfDay switch
        {
            PartOfDay.Afternoon or PartOfDay.Evening => hour == 12 ? 12 : hour + 12,
            PartOfDay.Morning => hour,
            _ when _noon => hour <= 4 ? hour + 12 : hour,
            // Business hours: nobody books a haircut at 3 a.m., so "um drei" / "halb drei" mean the afternoon.
            _ => hour <= 7 ? hour + 12 : hour,
        };
    }

    private void SetTime(ClockMatch clock)
    {
        _hour = clock.Hour;
        _minute = clock.Minute;
        _clockIs24h = clock.Is24h;
        Use(clock.Start, clock.Length);
    }
}
