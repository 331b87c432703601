using Quartz;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Billing;
using VoiceAgent.Platform.Billing.Lexoffice;

namespace VoiceAgent.Web.Billing;

/// <summary>Sends again what did not reach Lexoffice (failed, interrupted, or PDF not yet fetched), up to 10 attempts each.</summary>
[DisallowConcurrentExecution]
public sealed class LexofficeRetryJob(LexofficeSender sender, ILogger<LexofficeRetryJob> logger) : IJob
{
    public const int MaxAttempts = 10;

    public async Task Execute(IJobExecutionContext context)
    {
        if (!await sender.IsConfiguredAsync(context.CancellationToken))
        {
            return;
        }

        foreach (var invoiceId in await sender.OutstandingAsync(MaxAttempts, context.CancellationToken))
        {
            try
            {
                await sender.SendAsync(invoiceId, new Actor(null, "scheduler"), context.CancellationToken);
            }
            catch (BillingException ex)
            {
                logger.LogWarning("Lexoffice retry of invoice {InvoiceId} skipped: {Message}", invoiceId, ex.Message);
            }
        }
    }
}
