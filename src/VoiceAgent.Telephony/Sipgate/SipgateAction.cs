using System.Text.RegularExpressions;

namespace VoiceAgent.Telephony.Sipgate;

/// <summary>
/// What sipgate does with a call (API-CONTRACTS.md §2.2). Every action validates its input when constructed, so
/// <see cref="SipgateXml"/> can only ever write a well-formed response.
/// </summary>
public abstract partial record SipgateAction
{
    private protected SipgateAction()
    {
    }

    /// <summary>Forwards to up to five numbers (digits without "+"), or to the voicemail.</summary>
    public sealed record Dial : SipgateAction
    {
        public const int MaxNumbers = 5;

        private Dial(IReadOnlyList<string> numbers, string? callerId, bool? anonymous)
        {
            Numbers = numbers;
            CallerId = callerId is null ? null : Digits(callerId, nameof(callerId));
            Anonymous = anonymous;
        }

        /// <summary>Empty when the call goes to the voicemail.</summary>
        public IReadOnlyList<string> Numbers { get; }

        public bool IsVoicemail => Numbers.Count == 0;

        public string? CallerId { get; }

        public bool? Anonymous { get; }

        public static Dial ToNumbers(IEnumerable<string> numbers, string? callerId = null, bool? anonymous = null)
        {
            var list = numbers.Select(n => Digits(n, nameof(numbers))).ToArray();
            if (list.Length is 0 or > MaxNumbers)
            {
                throw new ArgumentException($"Dial takes 1 to {MaxNumbers} numbers, not {list.Length}.", nameof(numbers));
            }

            return new Dial(list, callerId, anonymous);
        }

        public static Dial ToVoicemail(string? callerId = null, bool? anonymous = null) => new([], callerId, anonymous);
    }

    /// <summary>The WAV must be mono, 16-bit PCM, 8 kHz; sipgate does not play anything else.</summary>
    public sealed record Play(Uri Url) : SipgateAction
    {
        public Uri Url { get; } = HttpUrl(Url, nameof(Url));
    }

    /// <summary>Collects up to <see cref="MaxDigits"/> DTMF digits and posts them to <see cref="OnData"/>.</summary>
    public sealed record Gather : SipgateAction
    {
        public Gather(Uri onData, int maxDigits = 1, TimeSpan? timeout = null, Uri? announcement = null)
        {
            OnData = HttpUrl(onData, nameof(onData));
            MaxDigits = maxDigits >= 1 ? maxDigits : throw new ArgumentOutOfRangeException(nameof(maxDigits), maxDigits, "At least one digit.");
            Timeout = timeout ?? TimeSpan.FromSeconds(2);
            if (Timeout <= TimeSpan.Zero || Timeout.TotalMilliseconds > int.MaxValue)
            {
                throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be positive.");
            }

            Announcement = announcement is null ? null : new Play(announcement);
        }

        public Uri OnData { get; }

        public int MaxDigits { get; }

        /// <summary>Written in whole milliseconds.</summary>
        public TimeSpan Timeout { get; }

        public Play? Announcement { get; }
    }

    public sealed record Reject(SipgateRejectReason Reason = SipgateRejectReason.Rejected) : SipgateAction
    {
        public SipgateRejectReason Reason { get; } = Enum.IsDefined(Reason) ? Reason : throw new ArgumentOutOfRangeException(nameof(Reason));
    }

    public sealed record Hangup : SipgateAction;

    internal static Uri HttpUrl(Uri url, string parameter) =>
        url is { IsAbsoluteUri: true, Scheme: "https" or "http" }
            ? url
            : throw new ArgumentException($"'{url}' is not an absolute http(s) URL.", parameter);

    private static string Digits(string number, string parameter) =>
        DigitsPattern().IsMatch(number)
            ? number
            : throw new ArgumentException($"'{number}' is not a number in digits without '+'.", parameter);

    // E.164 allows at most 15 digits; sipgate wants them without the "+".
    [GeneratedRegex("^[0-9]{1,15}$")]
    private static partial Regex DigitsPattern();
}
