namespace VoiceAgent.Telephony.Sipgate;

public abstract partial record SipgatePush
{
    /// <summary>
    /// Parses the raw body (verify its signature over the same bytes first). Unknown fields are ignored; a missing or
    /// repeated required field, an unknown event or direction, or broken encoding gives a failure, never an exception.
    /// </summary>
    public static SipgatePushParseResult Parse(ReadOnlySpan<byte> body)
    {
        if (!FormFields.TryParse(body, out var form, out var formError))
        {
            return SipgatePushParseResult.Failure(formError);
        }

        var fields = new Reader(form);
        var eventName = fields.Required("event");
        SipgatePush? push = eventName switch
        {
            null => null,
            "newCall" => new NewCall(
                fields.Required("from")!,
                fields.Required("to")!,
                fields.Direction(),
                fields.Required("callId")!,
                form.All("user"),
                form.All("userId"),
                form.All("fullUserId"),
                fields.Optional("xcid"),
                fields.Optional("origCallId") ?? fields.Optional("originalCallId"),
                fields.Optional("diversion")),
            "answer" => new Answer(
                fields.Required("callId")!,
                fields.Required("from")!,
                fields.Required("to")!,
                fields.Direction(),
                fields.Required("answeringNumber")!,
                fields.Optional("user"),
                fields.Optional("userId"),
                fields.Optional("fullUserId"),
                fields.Optional("diversion")),
            "hangup" => new Hangup(
                fields.Cause(),
                fields.Required("callId")!,
                fields.Required("from")!,
                fields.Required("to")!,
                fields.Direction(),
                fields.Optional("answeringNumber")),
            "dtmf" => new Dtmf(fields.Required("dtmf", allowEmpty: true)!, fields.Required("callId")!),
            _ => fields.Fail($"Unknown event '{eventName}'."),
        };

        return fields.Error is { } error ? SipgatePushParseResult.Failure(error) : SipgatePushParseResult.Success(push!);
    }

    /// <summary>Reads fields and keeps the first problem, so each event above reads as one constructor call.</summary>
    private sealed class Reader(FormFields form)
    {
        public string? Error { get; private set; }

        public string? Required(string name, bool allowEmpty = false)
        {
            var value = Single(name);
            if (value is null || (value.Length == 0 && !allowEmpty))
            {
                Fail($"Field '{name}' is missing or empty.");
            }

            return value;
        }

        public string? Optional(string name) => Single(name) is { Length: > 0 } value ? value : null;

        public SipgateDirection Direction()
        {
            switch (Required("direction"))
            {
                case "in":
                    return SipgateDirection.In;
                case "out":
                    return SipgateDirection.Out;
                case { } other:
                    Fail($"Unknown direction '{other}'.");
                    break;
            }

            return default;
        }

        public SipgateHangupCause Cause() => Required("cause") switch
        {
            "normalClearing" => SipgateHangupCause.NormalClearing,
            "busy" => SipgateHangupCause.Busy,
            "cancel" => SipgateHangupCause.Cancel,
            "noAnswer" => SipgateHangupCause.NoAnswer,
            "congestion" => SipgateHangupCause.Congestion,
            "notFound" => SipgateHangupCause.NotFound,
            "forwarded" => SipgateHangupCause.Forwarded,
            _ => SipgateHangupCause.Other,
        };

        public SipgatePush? Fail(string error)
        {
            Error ??= error;
            return null;
        }

        // A scalar sent twice is ambiguous; refusing it beats guessing which one the signature meant.
        private string? Single(string name)
        {
            if (form.Count(name) > 1)
            {
                Fail($"Field '{name}' appears more than once.");
                return null;
            }

            return form.All(name) is [var value] ? value : null;
        }
    }
}
