using System.Globalization;
using VoiceAgent.Activities.Ports;
using VoiceAgent.Platform.Email;

namespace VoiceAgent.Platform.Ports;

/// <summary>
/// Mails a caller's message with a summary of the call to the business: through the outbox, stored with the turn that
/// took the message and sent after its commit.
/// </summary>
public sealed class EmailMessageBox(MailOutbox outbox, string tenantEmail) : IMessageBox
{
    public ValueTask LeaveMessageAsync(CallerMessage message, CancellationToken cancellationToken)
    {
        var caller = message.CallerNumber ?? "unbekannte Nummer";
        var body = string.Create(CultureInfo.GetCultureInfo("de-DE"),
            $"Neue Nachricht von {caller}:\n\n{message.Message}\n\nVerlauf des Anrufs:\n{message.Summary}\n\nIhr VoiceAgent");
        outbox.Add(tenantEmail, $"Rückrufbitte von {caller}", body);
        return ValueTask.CompletedTask;
    }
}

/// <summary>The simulator keeps messages instead of mailing the business.</summary>
public sealed class RecordingMessageBox : IMessageBox
{
    public List<CallerMessage> Messages { get; } = [];

    public ValueTask LeaveMessageAsync(CallerMessage message, CancellationToken cancellationToken)
    {
        Messages.Add(message);
        return ValueTask.CompletedTask;
    }
}
