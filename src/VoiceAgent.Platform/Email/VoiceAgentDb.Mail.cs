using Microsoft.EntityFrameworkCore;
using VoiceAgent.Platform.Email;

namespace VoiceAgent.Platform.Data;

public sealed partial class VoiceAgentDb
{
    public DbSet<OutboxMail> MailOutbox => Set<OutboxMail>();

    private static void ConfigureMail(ModelBuilder builder) => builder.Entity<OutboxMail>().ToTable("mail_outbox");
}
