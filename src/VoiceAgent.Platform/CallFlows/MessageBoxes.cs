using System.Globalization;
using VoiceAgent.Activities.Ports;
using VoiceAgent.Platform.Email;

namespace VoiceAgent.Platform.CallFlows;

/// <summary>Mails a caller's message with a summary of the call to the business.</summary>
public sealed class EmailMessageBox(Mailer mailer, string tenantEmail) : IMessageBox
{
    public async ValueTask LeaveMessageAsync(CallerMessage message, CancellationToken cancellationToken)
    {
        var caller = message.CallerNumber ?? "unbekannte Nummer";
        var body = string.Create(CultureInfo.GetCultureInfo("de-DE"),
            $"Neue Nachricht von {caller}:\n\n{message.Message}\n\nVerlauf des Anrufs:\n{message.Summary}\n\nIhr VoiceAgent");
        if (!await mailer.SendAsync(tenantEmail, $"Rückrufbitte von {caller}", body, cancellationToken))
        {
            throw new Flows.Runtime.PortException("The message could not be mailed.");
        }
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
