using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace VoiceAgent.Testing.Fakes;

/// <summary>What OpenAI's Realtime WebSocket (conversation and transcription alike) checks before the upgrade: a bearer
/// key (401 invalid_api_key otherwise, or when it is not the required one), then rate limiting (the given status).</summary>
internal static class FakeRealtimeHandshake
{
    /// <returns>True when the request was refused (the error answer is written).</returns>
    public static async Task<bool> RefusedAsync(HttpContext http, string? requiredKey, int? rejectStatus)
    {
        var authorization = (string?)http.Request.Headers.Authorization;
        if (authorization is null || !authorization.StartsWith("Bearer ", StringComparison.Ordinal)
                                  || (requiredKey is not null && authorization != "Bearer " + requiredKey))
        {
            await ErrorAsync(http, 401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key");
            return true;
        }

        if (rejectStatus is { } status)
        {
            await ErrorAsync(http, status, "Rate limit reached for requests.", "requests", "rate_limit_exceeded");
            return true;
        }

        return false;
    }

    /// <summary>OpenAI's error body: <c>{"error":{"message","type","param","code"}}</c>.</summary>
    public static async Task ErrorAsync(HttpContext http, int status, string message, string type, string? code)
    {
        http.Response.StatusCode = status;
        await http.Response.WriteAsJsonAsync(new JsonObject { ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["param"] = null, ["code"] = code } });
    }
}
