using System.Data.Common;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using VoiceAgent.Platform.Data;

namespace VoiceAgent.Platform.Email;

/// <summary>A mail waiting to be sent (or sent, or given up) — row of mail_outbox.</summary>
public sealed class OutboxMail
{
    public Guid Id { get; set; }
    public required string Recipient { get; set; }
    public required string Subject { get; set; }
    public required string Body { get; set; }
    public string State { get; set; } = MailStates.Pending;
    public int Attempts { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }
    public DateTimeOffset? FailedAt { get; set; }
}

public static class MailStates
{
    public const string Pending = "pending";
    public const string Sent = "sent";
    public const string Failed = "failed";
}

/// <summary>
/// Where business code puts its mails: the mail becomes a row of the caller's unit of work, so it is committed with the
/// change it reports (and disappears with a rollback). After the commit <see cref="MailOutboxInterceptor"/> enqueues one
/// <see cref="MailJobs.SendAsync"/> per mail; <see cref="MailJobs.SweepAsync"/> picks up any whose enqueue was lost.
/// </summary>
public sealed class MailOutbox(VoiceAgentDb db, MailOutboxDispatch dispatch, TimeProvider time)
{
    /// <summary>Adds the mail to the current unit of work; it is stored by the caller's next SaveChanges.</summary>
    public void Add(string to, string subject, string body)
    {
        var mail = new OutboxMail
        {
            Id = Guid.CreateVersion7(time.GetUtcNow()),
            Recipient = Limit(to, 320),
            Subject = Limit(subject, 500),
            Body = body,
            CreatedAt = time.GetUtcNow(),
        };
        db.Add(mail);
        dispatch.Track(mail);
    }

    private static string Limit(string text, int length) => text.Length <= length ? text : text[..length];
}

/// <summary>
/// The mails of one unit of work on their way to the job queue (scoped). Added → saving (SaveChanges runs) → saved (in an
/// open transaction) → enqueued at commit. A SaveChanges without an open transaction commits EF's own transaction (or
/// none, for a single statement), so its mails are enqueued at that commit or right after the save. A rollback drops
/// what was saved in it.
/// </summary>
public sealed class MailOutboxDispatch(IServiceProvider services)
{
    private readonly Lock gate = new();
    private readonly List<OutboxMail> added = [];
    private readonly List<OutboxMail> saving = [];
    private readonly List<OutboxMail> saved = [];

    internal void Track(OutboxMail mail)
    {
        lock (gate)
        {
            added.Add(mail);
        }
    }

    internal void Saving()
    {
        lock (gate)
        {
            saving.AddRange(added);
            added.Clear();
        }
    }

    internal void Saved(bool inTransaction)
    {
        lock (gate)
        {
            saved.AddRange(saving);
            saving.Clear();
        }

        if (!inTransaction)
        {
            // Saved without an open transaction (EF may send a single statement without one): it is committed already.
            Committed();
        }
    }

    internal void SaveFailed()
    {
        lock (gate)
        {
            added.AddRange(saving);
            saving.Clear();
        }
    }

    internal void Committed()
    {
        List<OutboxMail> durable;
        lock (gate)
        {
            durable = [.. saved, .. saving];
            saved.Clear();
            saving.Clear();
        }

        foreach (var mail in durable)
        {
            // Without a Hangfire client (the CLI) the mail waits for the sweep of a running app instance.
            services.GetService<IBackgroundJobClient>()?.Enqueue<MailJobs>(j => j.SendAsync(mail.Id, null, CancellationToken.None));
        }
    }

    internal void RolledBack()
    {
        lock (gate)
        {
            saved.Clear();
        }
    }
}

/// <summary>Follows SaveChanges and the transaction of the unit of work for <see cref="MailOutboxDispatch"/>.</summary>
public sealed class MailOutboxInterceptor(MailOutboxDispatch dispatch) : DbTransactionInterceptor, ISaveChangesInterceptor
{
    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => dispatch.Committed();

    public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        dispatch.Committed();
        return Task.CompletedTask;
    }

    public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => dispatch.RolledBack();

    public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        dispatch.RolledBack();
        return Task.CompletedTask;
    }

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        dispatch.Saving();
        return result;
    }

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        dispatch.Saving();
        return ValueTask.FromResult(result);
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        dispatch.Saved(eventData.Context?.Database.CurrentTransaction is not null);
        return result;
    }

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        dispatch.Saved(eventData.Context?.Database.CurrentTransaction is not null);
        return ValueTask.FromResult(result);
    }

    public void SaveChangesFailed(DbContextErrorEventData eventData) => dispatch.SaveFailed();

    public Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        dispatch.SaveFailed();
        return Task.CompletedTask;
    }
}
