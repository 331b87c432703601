namespace VoiceAgent.Benchmarks.Load;

/// <summary>Arguments after <c>load</c>: <c>[--quick] [--only streams|webhooks] [--no-app]</c>.</summary>
internal sealed record LoadOptions(bool Quick, bool Streams, bool Webhooks, bool RealApp)
{
    public const string Usage = "load [--quick] [--only streams|webhooks] [--no-app]";

    public TimeSpan StreamDuration => TimeSpan.FromSeconds(Quick ? 10 : 30);

    public TimeSpan WebhookDuration => TimeSpan.FromSeconds(Quick ? 10 : 20);

    public int WebhookRate => 500;

    /// <summary>Rates for a path that misses the target at <see cref="WebhookRate"/>, highest first.</summary>
    public IReadOnlyList<int> WebhookFallbackRates => [400, 300, 200, 100];

    public IReadOnlyList<int> StreamCounts => [50, 100, 200, 300, 400, 500, 600, 800, 1000, 1200];

    public static LoadOptions? Parse(IReadOnlyList<string> args)
    {
        var options = new LoadOptions(false, true, true, true);
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    options = options with { Quick = true };
                    break;
                case "--no-app":
                    options = options with { RealApp = false };
                    break;
                case "--only" when i + 1 < args.Count && args[i + 1] is "streams" or "webhooks":
                    var only = args[++i];
                    options = options with { Streams = only == "streams", Webhooks = only == "webhooks" };
                    break;
                default:
                    return null;
            }
        }

        return options;
    }
}
