using System.Diagnostics.Metrics;
using VoiceAgent.Platform.Observability;

namespace VoiceAgent.Billing;

/// <summary>The billing meter (<c>VoiceAgent.Billing</c>): invoices issued (finalized with a number), by kind (monthly, package, cancellation).</summary>
public sealed class InvoiceTelemetry(IMeterFactory meters)
{
    public const string Name = Telemetry.Prefix + "Billing";

    private readonly Counter<long> issued = meters.Create(Name).CreateCounter<long>("voiceagent.invoices.issued",
        description: "Invoices finalized with a number, by kind");

    public void Issued(string kind) => issued.Add(1, new KeyValuePair<string, object?>("kind", kind));
}
