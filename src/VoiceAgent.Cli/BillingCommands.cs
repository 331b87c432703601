using VoiceAgent.Billing;

namespace VoiceAgent.Cli;

/// <summary><c>billing preview</c>: one tenant's invoice for a period from CASE.json, no database needed.</summary>
internal static class BillingCommands
{
    public static async Task<int> PreviewAsync(string? file, Dictionary<string, string> options, TextWriter stdout, TextWriter stderr)
    {
        if (file is null || !options.TryGetValue("period", out var periodText))
        {
            await stderr.WriteLineAsync(BillingTexts.Get(BillingErrorCodes.PreviewUsage));
            return 2;
        }

        if (!BillingPeriod.TryParse(periodText, out var period))
        {
            await stderr.WriteLineAsync(BillingTexts.Format(BillingErrorCodes.InvalidPeriod, periodText));
            return 1;
        }

        if (!File.Exists(file))
        {
            await stderr.WriteLineAsync(BillingTexts.Format(BillingErrorCodes.FileNotFound, file));
            return 1;
        }

        var parsed = BillingCaseJson.Parse(await File.ReadAllTextAsync(file));
        if (parsed.Case is null)
        {
            await stderr.WriteLineAsync(BillingTexts.Format(BillingErrorCodes.InvalidCase, file));
            foreach (var error in parsed.Errors)
            {
                await stderr.WriteLineAsync("  " + error.Message);
            }

            return 1;
        }

        InvoicePreview preview;
        try
        {
            preview = InvoiceCalculator.Calculate(parsed.Case, period);
        }
        catch (OverflowException)
        {
            await stderr.WriteLineAsync(BillingTexts.Get(BillingErrorCodes.TooLarge));
            return 1;
        }

        await stdout.WriteLineAsync(InvoicePreviewJson.Serialize(preview));
        return 0;
    }
}
