using VoiceAgent.Platform.Data;

namespace VoiceAgent.Billing;

internal static class BillingDb
{
    /// <summary>
    /// Saves inside a transaction: the row-level-security context is set when a transaction starts, and EF Core runs a
    /// single-statement save without one. Joins the caller's transaction when there is one.
    /// </summary>
    public static async Task SaveInTransactionAsync(this VoiceAgentDb db, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is not null)
        {
            await db.SaveChangesAsync(ct);
            return;
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }
}
