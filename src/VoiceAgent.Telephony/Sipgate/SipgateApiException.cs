using System.Net;

namespace VoiceAgent.Telephony.Sipgate;

/// <summary>sipgate answered with an error, even after the one retry a 429 or 5xx gets, or with an unreadable body.</summary>
public class SipgateApiException(HttpStatusCode? statusCode, string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    public HttpStatusCode? StatusCode { get; } = statusCode;
}
