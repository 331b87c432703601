using Hangfire;
using Hangfire.Server;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace VoiceAgent.Platform.Email;

/// <summary>
/// Sends the outbox's mails (Hangfire jobs). One job per mail, retried by Hangfire with growing delays; after the last
/// retry the mail is marked failed with its reason. The row lock (FOR UPDATE SKIP LOCKED) and the state check keep two
/// jobs of the same mail (a retry and the sweep) from sending it twice.
/// </summary>
public sealed class MailJobs(NpgsqlDataSource dataSource, Mailer mailer, IBackgroundJobClient jobs, TimeProvider time, ILogger<MailJobs> logger)
{
    /// <summary>Retries after the first attempt: 1, 5, 15, 30 min, 1, 2, 4, 8 h.</summary>
    public const int Retries = 8;

    public const string SweepJobId = "mail-outbox-sweep";

    /// <summary>Mails never attempted and older than this were not enqueued after their commit (crash in between).</summary>
    public static readonly TimeSpan SweepAfter = TimeSpan.FromMinutes(1);

    [AutomaticRetry(Attempts = Retries, DelaysInSeconds = [60, 300, 900, 1800, 3600, 7200, 14400, 28800], OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    [JobDisplayName("E-Mail {0} senden")]
    public async Task SendAsync(Guid mailId, PerformContext? context, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        string to, subject, body;
        await using (var select = new NpgsqlCommand(
                         "SELECT recipient, subject, body FROM mail_outbox WHERE id = @id AND state = 'pending' FOR UPDATE SKIP LOCKED", connection, tx))
        {
            select.Parameters.AddWithValue("id", mailId);
            await using var reader = await select.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct))
            {
                return; // sent already, given up, being sent by another job, or never committed
            }

            (to, subject, body) = (reader.GetString(0), reader.GetString(1), reader.GetString(2));
        }

        try
        {
            await mailer.DeliverAsync(to, subject, body, ct);
        }
        catch (MailDeliveryException ex)
        {
            var last = (context?.GetJobParameter<int>("RetryCount") ?? 0) >= Retries;
            await UpdateAsync(connection, tx, mailId, last ? MailStates.Failed : MailStates.Pending, ex.Message, last, ct);
            await tx.CommitAsync(ct);
            logger.LogWarning("Mail {MailId} not sent ({State}): {Error}", mailId, last ? "given up" : "will retry", ex.Message);
            throw;
        }

        await UpdateAsync(connection, tx, mailId, MailStates.Sent, null, false, ct);
        await tx.CommitAsync(CancellationToken.None);
    }

    /// <summary>Recurring: enqueues the mails whose job was never created (the app stopped between commit and enqueue).</summary>
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    [JobDisplayName("E-Mail-Ausgang prüfen")]
    public async Task SweepAsync(CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("""
            SELECT id FROM mail_outbox WHERE state = 'pending' AND attempts = 0 AND created_at < @before ORDER BY created_at LIMIT 500
            """);
        cmd.Parameters.AddWithValue("before", time.GetUtcNow() - SweepAfter);
        var ids = new List<Guid>();
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                ids.Add(reader.GetGuid(0));
            }
        }

        foreach (var id in ids)
        {
            jobs.Enqueue<MailJobs>(j => j.SendAsync(id, null, CancellationToken.None));
        }
    }

    private async Task UpdateAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid id, string state, string? error, bool failed, CancellationToken ct)
    {
        await using var update = new NpgsqlCommand("""
            UPDATE mail_outbox SET state = @state, attempts = attempts + 1, last_error = @error,
                   sent_at = CASE WHEN @state = 'sent' THEN @now END, failed_at = CASE WHEN @failed THEN @now END
             WHERE id = @id
            """, connection, tx);
        update.Parameters.AddWithValue("id", id);
        update.Parameters.AddWithValue("state", state);
        update.Parameters.AddWithValue("error", error is null ? DBNull.Value : error.Length <= 1000 ? error : error[..1000]);
        update.Parameters.AddWithValue("failed", failed);
        update.Parameters.AddWithValue("now", time.GetUtcNow());
        await update.ExecuteNonQueryAsync(CancellationToken.None);
    }
}
