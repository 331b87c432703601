using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using VoiceAgent.Platform.Numbers;
using VoiceAgent.Telephony.Sipgate;

namespace VoiceAgent.Telephony.Setup;

/// <summary>
/// Notes when sipgate reached us for a dialled number, for the set-up wizard's test call
/// (<see cref="NumberSetup.SipgateLastSignedPushAsync"/>). It runs behind <see cref="SipgatePushGuard"/>, so only pushes
/// that passed the source and signature checks are noted, whether or not the number is bound (an unbound number still
/// gets its polite refusal from the push handler). Only incoming calls count: on an outgoing one "to" is the callee.
/// </summary>
public static class SipgatePushArrivals
{
    public static async ValueTask<object?> RecordAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (DialledNumber(SipgatePushGuard.PushOf(http)) is { } number)
        {
            var services = http.RequestServices;
            var at = services.GetRequiredService<TimeProvider>().GetUtcNow();
            try
            {
                await services.GetRequiredService<VoiceAgentDb>().Database.ExecuteSqlAsync($"""
                    INSERT INTO sipgate_push_arrivals (number, last_signed_at) VALUES ({number}, {at})
                    ON CONFLICT (number) DO UPDATE SET last_signed_at = GREATEST(sipgate_push_arrivals.last_signed_at, EXCLUDED.last_signed_at)
                    """, http.RequestAborted);
            }
            catch (DbException ex)
            {
                // A confirmation for the wizard must never cost a caller the call.
                services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SipgatePushArrivals))
                    .LogWarning(ex, "Could not note the sipgate push for {Number}", number);
            }
        }

        return await next(context);
    }

    private static string? DialledNumber(SipgatePush push)
    {
        var to = push switch
        {
            SipgatePush.NewCall { Direction: SipgateDirection.In } call => call.To,
            SipgatePush.Answer { Direction: SipgateDirection.In } answer => answer.To,
            SipgatePush.Hangup { Direction: SipgateDirection.In } hangup => hangup.To,
            _ => null,
        };
        return to is null ? null : PhoneNumbers.FromProvider(to).E164;
    }
}
