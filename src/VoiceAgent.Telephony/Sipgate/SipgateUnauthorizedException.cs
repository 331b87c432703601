using System.Net;

namespace VoiceAgent.Telephony.Sipgate;

/// <summary>401: the token is wrong, revoked or expired; retrying cannot help, the super-admin has to enter a new one.</summary>
public sealed class SipgateUnauthorizedException(string message) : SipgateApiException(HttpStatusCode.Unauthorized, message);
