using Hangfire;
using Hangfire.Server;
using Microsoft.Extensions.Logging;
using VoiceAgent.Platform.Auditing;

namespace VoiceAgent.Billing.Lexoffice;

/// <summary>A transmission that failed this time; Hangfire retries the job (the reason is on the invoice).</summary>
public sealed class LexofficeTransmissionException(string message) : Exception(message);

/// <summary>
/// One Hangfire job per invoice to send to Lexoffice. A failed attempt throws, so Hangfire retries with growing delays
/// (1 min … 8 h); the sender's pending marker makes every retry safe (never a second invoice at Lexoffice). After the last
/// retry the transmission is marked <see cref="TransmissionStates.GaveUp"/> with the reason; the super-admin sends it
/// by hand from the billing page or requeues the job in the dashboard. Every request still waits for its slot in the
/// cross-instance rate limiter (2 per second).
/// </summary>
public sealed class LexofficeJob(LexofficeSender sender, ILogger<LexofficeJob> logger)
{
    /// <summary>Retries after the first attempt.</summary>
    public const int Retries = 8;

    private static readonly Actor Scheduler = new(null, "scheduler");

    [AutomaticRetry(Attempts = Retries, DelaysInSeconds = [60, 300, 900, 1800, 3600, 7200, 14400, 28800], OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    [JobDisplayName("Lexoffice: Rechnung {0} übertragen")]
    public async Task SendAsync(Guid invoiceId, PerformContext? context, CancellationToken ct)
    {
        SendOutcome outcome;
        try
        {
            outcome = await sender.SendAsync(invoiceId, Scheduler, ct);
        }
        catch (BillingException ex)
        {
            // Not sendable (a draft, a cancellation, gone): retrying cannot help.
            logger.LogWarning("Lexoffice job for invoice {InvoiceId} skipped: {Message}", invoiceId, ex.Message);
            return;
        }

        if (outcome is SendOutcome.Failed or SendOutcome.Busy)
        {
            // Busy: another instance (or a manual send) has it right now; a later retry finds it sent or sends it.
            var last = (context?.GetJobParameter<int>("RetryCount") ?? 0) >= Retries;
            if (last && outcome == SendOutcome.Failed)
            {
                await sender.GiveUpAsync(invoiceId, ct);
            }

            var reason = await sender.LastErrorAsync(invoiceId, ct);
            throw new LexofficeTransmissionException(outcome == SendOutcome.Busy
                ? "Rechnung wird gerade anderweitig übertragen."
                : $"Lexoffice-Übertragung fehlgeschlagen: {reason}");
        }
    }
}
