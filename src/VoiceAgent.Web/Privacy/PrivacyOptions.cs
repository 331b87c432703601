using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace VoiceAgent.Web.Privacy;

/// <summary>Data protection settings (section <c>Privacy</c>).</summary>
public sealed class PrivacyOptions
{
    public const string Section = "Privacy";

    public const int MinRetentionDays = 7;
    public const int MaxRetentionDays = 3650;
    public const int DefaultRetentionDays = 90;

    /// <summary>The key of the keyed hash that replaces caller numbers and e-mail addresses in the audit log (at least 32 characters).
    /// Required in Production; elsewhere a development default is used.</summary>
    public string? PseudonymKey { get; set; }

    /// <summary>Days after the recorded contract end until the tenant's data is deleted.</summary>
    [Range(0, 3650)]
    public int DeleteAfterDays { get; set; } = 30;

    /// <summary>Run the retention and contract-end jobs on this deployment (tests that drive them turn this off).</summary>
    public bool RunJobs { get; set; } = true;
}

/// <summary>Production needs its own pseudonym key; a short one is refused everywhere.</summary>
internal sealed class PrivacyOptionsValidator(IHostEnvironment environment) : IValidateOptions<PrivacyOptions>
{
    public ValidateOptionsResult Validate(string? name, PrivacyOptions options)
    {
        if (string.IsNullOrEmpty(options.PseudonymKey))
        {
            return environment.IsProduction()
                ? ValidateOptionsResult.Fail("Privacy:PseudonymKey is required in Production (at least 32 random characters; see RUNBOOK 'GDPR').")
                : ValidateOptionsResult.Success;
        }

        return options.PseudonymKey.Length < 32
            ? ValidateOptionsResult.Fail("Privacy:PseudonymKey must have at least 32 characters.")
            : ValidateOptionsResult.Success;
    }
}

/// <summary>
/// Keyed hashes (HMAC-SHA256) that stand for a caller number or an e-mail address in the audit log: the same value of the
/// same tenant gives the same pseudonym (so two entries about one caller can be related), nobody without the key can
/// reverse it, and the tenant id in the input keeps one person's pseudonyms of two tenants apart.
/// </summary>
public sealed partial class Pseudonyms
{
    private const string DevelopmentKey = "voiceagent-development-pseudonym-key-not-for-production";

    private readonly byte[] key;

    public Pseudonyms(IOptions<PrivacyOptions> options, ILogger<Pseudonyms> logger)
    {
        var configured = options.Value.PseudonymKey;
        if (string.IsNullOrEmpty(configured))
        {
            logger.LogWarning("Privacy:PseudonymKey is not set: audit pseudonyms use the development default key.");
        }

        key = Encoding.UTF8.GetBytes(string.IsNullOrEmpty(configured) ? DevelopmentKey : configured);
    }

    /// <summary>E.g. <c>pseud:3f9a0c1b2d4e5f60</c>.</summary>
    public string Of(Guid tenantId, string value)
    {
        var hash = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{tenantId:n}:{value.Trim().ToLowerInvariant()}"));
        return "pseud:" + Convert.ToHexStringLower(hash.AsSpan(0, 8));
    }

    /// <summary>Replaces every E.164 number and e-mail address in <paramref name="text"/> by its pseudonym.</summary>
    public string? Scrub(Guid tenantId, string? text) =>
        text is null ? null : PersonalData().Replace(text, m => Of(tenantId, m.Value));

    [GeneratedRegex(@"\+[1-9][0-9]{6,14}|[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")]
    private static partial Regex PersonalData();
}
