using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using VoiceAgent.Platform.Security;

namespace VoiceAgent.Telephony.Sipgate;

/// <summary>A personal access token (API-CONTRACTS.md §2.4), sent as Basic base64("token-XXXXXX:&lt;token&gt;").</summary>
public sealed partial record SipgateCredentials
{
    private SipgateCredentials(string tokenId, string token)
    {
        TokenId = tokenId;
        Token = token;
    }

    public string TokenId { get; }

    public string Token { get; }

    public static bool IsValidTokenId(string? tokenId) => tokenId is not null && TokenIdPattern().IsMatch(tokenId);

    /// <exception cref="ArgumentException">The token id does not look like "token-" and six letters or digits, or the token is blank.</exception>
    public static SipgateCredentials Create(string tokenId, string token)
    {
        if (!IsValidTokenId(tokenId))
        {
            throw new ArgumentException("A sipgate token id looks like \"token-AB12cd\".", nameof(tokenId));
        }

        if (string.IsNullOrWhiteSpace(token) || token.Any(char.IsControl))
        {
            throw new ArgumentException("The sipgate token is empty or contains control characters.", nameof(token));
        }

        return new SipgateCredentials(tokenId, token.Trim());
    }

    internal AuthenticationHeaderValue ToAuthorizationHeader() =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{TokenId}:{Token}")));

    // The generated record ToString would print the token wherever the credentials get logged.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"TokenId = {TokenId}, Token = {SecretHint.For(Token)}");
        return true;
    }

    [GeneratedRegex("^token-[A-Za-z0-9]{6}$")]
    private static partial Regex TokenIdPattern();
}
