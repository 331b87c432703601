namespace VoiceAgent.Benchmarks.Soak;

/// <summary>The soak's knobs (issue #18, item 7: 30 minutes, 50 streams, 100 gather calls a minute, portal users).</summary>
internal sealed record SoakOptions(TimeSpan Duration, int Streams, int GatherPerMinute, int PortalUsers, TimeSpan WarmUp, bool Quick)
{
    public static SoakOptions Parse(IReadOnlyList<string> args)
    {
        var quick = args.Contains("--quick");
        var minutes = double.TryParse(CommandArgs.Text(args, "--minutes"), System.Globalization.CultureInfo.InvariantCulture, out var m) ? m : 30;
        var duration = quick ? TimeSpan.FromSeconds(10) : TimeSpan.FromMinutes(minutes);
        // The warm-up before the first memory sample that counts: 5 minutes, or 1 for runs shorter than 10 minutes.
        var warmUp = double.TryParse(CommandArgs.Text(args, "--warmup-minutes"), System.Globalization.CultureInfo.InvariantCulture, out var w)
            ? TimeSpan.FromMinutes(w)
            : TimeSpan.FromMinutes(minutes < 10 ? 1 : 5);
        return new SoakOptions(
            duration,
            CommandArgs.Int(args, "--streams", quick ? 2 : 50),
            CommandArgs.Int(args, "--gather-per-minute", quick ? 30 : 100),
            CommandArgs.Int(args, "--portal-users", quick ? 1 : 5),
            quick ? TimeSpan.Zero : warmUp,
            quick);
    }
}
