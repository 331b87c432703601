using System.ComponentModel.DataAnnotations;

namespace VoiceAgent.Calendars;

/// <summary>Calendar connectors: provider endpoints (tests point them at fakes), time budgets and the OAuth limits.</summary>
public sealed class CalendarOptions
{
    public const string Section = "Calendars";

    /// <summary>
    /// The public origin the providers redirect back to (https://app.example.de); the OAuth redirect URI is this plus
    /// /oauth/callback/{provider} and must be registered exactly so at Google and Microsoft. Unset: the request's origin.
    /// </summary>
    public Uri? PublicBaseUrl { get; set; }

    /// <summary>How long the agent may wait for the calendar within a call (retries included).</summary>
    [Range(typeof(TimeSpan), "00:00:00.200", "00:00:30")]
    public TimeSpan InCallBudget { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The time budget of one attempt of the background job.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan BackgroundBudget { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the background job looks for bookings to finish (it is also woken when one is deferred).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan WorkerInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether this node runs the background job (tests that drive <see cref="BookingOutbox"/> themselves turn it off).</summary>
    public bool RunWorker { get; set; } = true;

    /// <summary>CalDAV servers on loopback or private addresses and plain http (development and tests only).</summary>
    public bool AllowLocalCalDavServers { get; set; }

    /// <summary>After this long a deferred booking is given up (status failed) and the tenant is told to call back.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan GiveUpAfter { get; set; } = TimeSpan.FromDays(2);

    [Range(typeof(TimeSpan), "00:01:00", "01:00:00")]
    public TimeSpan StateLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>OAuth starts and callbacks per signed-in user and minute.</summary>
    [Range(1, 10_000)]
    public int OAuthPermitsPerUser { get; set; } = 10;

    /// <summary>OAuth starts and callbacks per client address (IPv6 grouped by /64) and minute.</summary>
    [Range(1, 10_000)]
    public int OAuthPermitsPerAddress { get; set; } = 30;

    [Required]
    public GoogleEndpoints Google { get; set; } = new();

    [Required]
    public MicrosoftEndpoints Microsoft { get; set; } = new();

    public sealed class GoogleEndpoints
    {
        [Required]
        public Uri AuthorizeUrl { get; set; } = new("https://accounts.google.com/o/oauth2/v2/auth");

        [Required]
        public Uri TokenUrl { get; set; } = new("https://oauth2.googleapis.com/token");

        [Required]
        public Uri RevokeUrl { get; set; } = new("https://oauth2.googleapis.com/revoke");

        /// <summary>Calendar API v3 root, ending with a slash.</summary>
        [Required]
        public Uri ApiBaseUrl { get; set; } = new("https://www.googleapis.com/calendar/v3/");
    }

    public sealed class MicrosoftEndpoints
    {
        /// <summary>The Microsoft identity platform; MSAL's requests to login.microsoftonline.com go here.</summary>
        [Required]
        public Uri LoginBaseUrl { get; set; } = new("https://login.microsoftonline.com/");

        /// <summary>common (work/school and personal accounts), organizations, consumers or a tenant GUID.</summary>
        [Required, RegularExpression("^[A-Za-z0-9.-]{1,64}$")]
        public string Tenant { get; set; } = "common";

        /// <summary>Graph v1.0 root, ending with a slash.</summary>
        [Required]
        public Uri GraphBaseUrl { get; set; } = new("https://graph.microsoft.com/v1.0/");
    }
}
