namespace VoiceAgent.Telephony.Sipgate;

public enum SipgateSignatureCheck
{
    Valid,
    Missing,

    /// <summary>Not Base64, or not the length of a signature made with the key.</summary>
    Malformed,

    /// <summary>Well-formed, but not sipgate's signature over these bytes (altered body or a forger).</summary>
    Mismatch,
}
