using Microsoft.EntityFrameworkCore;
using VoiceAgent.Platform.Identity;

namespace VoiceAgent.Platform.Data;

// Wrong passwords per account and client address (0017_sign_in_throttles.sql): platform data, no tenant filter.
public sealed partial class VoiceAgentDb
{
    public DbSet<SignInThrottle> SignInThrottles => Set<SignInThrottle>();

    private static void ConfigureSignIn(ModelBuilder builder) =>
        builder.Entity<SignInThrottle>(e =>
        {
            e.ToTable("sign_in_throttles");
            e.HasKey(t => new { t.NormalizedEmail, t.ClientKey });
        });
}
