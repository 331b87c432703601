using System.Text.Json;
using System.Text.Json.Nodes;
using VoiceAgent.Activities.Ports;
using VoiceAgent.Flows.Descriptors;
using VoiceAgent.Flows.Runtime;

namespace VoiceAgent.Activities.Integration;

/// <summary>POSTs JSON to the tenant's webhook (https only); the response is kept in the variable http.</summary>
[Activity("HttpRequest", "Integration", "Webhook aufrufen", "Call webhook",
    DescriptionDe = "Sendet Daten als JSON an eine Web-Adresse des Unternehmens.", DescriptionEn = "Sends data as JSON to a web address of the business.")]
[Outcome(Outcomes.Success, "Erfolgreich", "Success")]
[Outcome(Outcomes.Failed, "Fehler", "Failed")]
public sealed class HttpRequest : Activity
{
    [Input("Adresse (https)", "URL (https)", UiHint = UiHints.Url, Required = true)]
    public string Url { get; set; } = "";

    [Input("Inhalt (JSON)", "Body (JSON)", UiHint = UiHints.MultiLine, Syntax = InputSyntax.Template,
        DescriptionDe = "Leer = Anrufer, Anliegen, Datum und Uhrzeit.", DescriptionEn = "Empty = caller, intent, date and time.")]
    public string? Body { get; set; }

    [Input("Zeitlimit (Sekunden)", "Timeout (seconds)", UiHint = UiHints.Duration)]
    public int TimeoutSeconds { get; set; } = 5;

    public override async ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
        {
            throw new PortException("The webhook URL must be an absolute https URL.");
        }

        JsonNode payload;
        try
        {
            payload = string.IsNullOrWhiteSpace(Body) ? DefaultPayload(context) : JsonNode.Parse(Body) ?? new JsonObject();
        }
        catch (JsonException)
        {
            payload = new JsonObject { ["text"] = Body };
        }

        var response = await context.Port<IWebhookClient>().PostJsonAsync(uri, payload, TimeSpan.FromSeconds(Math.Clamp(TimeoutSeconds, 1, 30)),
            context.CancellationToken);
        context.Set(Variables.Http, new JsonObject { ["status"] = response.StatusCode, ["body"] = response.Body?.DeepClone() });
        return Outcome(response.StatusCode is >= 200 and < 300 ? Outcomes.Success : Outcomes.Failed);
    }

    private static JsonObject DefaultPayload(ActivityContext context) => new()
    {
        ["caller"] = context.Get(Variables.Caller)?.DeepClone(),
        ["intent"] = context.GetString(Variables.Intent),
        ["date"] = context.GetString(Variables.Date),
        ["time"] = context.GetString(Variables.Time),
        ["lastInput"] = context.GetString(Variables.LastInput),
    };
}
