using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VoiceAgent.Flows.Runtime;
using VoiceAgent.Platform.Audio;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Ports;
using VoiceAgent.Platform.Resources;
using VoiceAgent.Platform.Security;
using VoiceAgent.Platform.Speech;
using VoiceAgent.Platform.Tenancy;
using VoiceAgent.Telephony.Speech.GoogleCloud;

namespace VoiceAgent.Telephony.Speech;

/// <summary>The speech engines a tenant may choose (stored lowercase: "offline", "openai", "google", "openairealtime"; JSON by name).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SpeechProvider>))]
public enum SpeechProvider
{
    /// <summary>espeak-ng, no recognition of our own: calls run in gather mode.</summary>
    Offline,

    /// <summary>OpenAI transcription and voices (the platform's OpenAI key).</summary>
    OpenAi,

    /// <summary>Google Cloud Speech-to-Text v1 and Text-to-Speech v1 (the platform's service account).</summary>
    Google,

    /// <summary>OpenAI Realtime: the caller talks to the model speech to speech (G.711 μ-law in and out, server-side turn
    /// detection, the flow's calendar actions as function calls; see <c>Realtime/OpenAiRealtimeCall</c>). Everything else
    /// that speaks or listens for the tenant (test console, gather fallback, a call whose Realtime connection fails) uses
    /// OpenAI's transcription and voices as with <see cref="OpenAi"/>.</summary>
    OpenAiRealtime,
}

/// <summary>What a tenant's Realtime mode call needs: the platform's OpenAI key and the voice (an OpenAI voice).</summary>
public sealed record RealtimeChoice(string ApiKey, string Voice);

/// <summary>A realtime call's speech engines: those of <see cref="ISpeechEngines"/>, plus streaming recognition where the
/// tenant's engine offers it (null otherwise).</summary>
public sealed record CallSpeechEngines(ISpeechToText? Stt, ITextToSpeech Tts, IStreamingSpeechToText? StreamingStt);

/// <summary>A tenant's speech engines and the voice its calls speak with.</summary>
public sealed record TenantSpeechChoice(SpeechProvider Provider, string Voice);

/// <summary>One engine as the wizard offers it: listed always, selectable only when <paramref name="Available"/> (else
/// <paramref name="UnavailableReason"/> says why, in German), with its voices.</summary>
public sealed record SpeechProviderOption(SpeechProvider Provider, string Label, bool Available, string? UnavailableReason, IReadOnlyList<Choice> Voices);

/// <summary>
/// Wizard step 2 "Stimme &amp; Spracherkennung": which speech engines a tenant's calls and test console use (table
/// tenant_speech). Without a stored choice the platform default applies — OpenAI when its key is stored, else offline.
/// An engine needs the platform's credentials (OpenAI key, Google service account); a stored choice whose credentials were
/// removed since falls back to offline rather than failing calls.
/// </summary>
public sealed class TenantSpeechSettings(VoiceAgentDb db, SettingsStore settings, IOptions<OpenAiOptions> openAi, GoogleServiceAccounts accounts,
    GoogleCloudApi google, TextToSpeechCache cache, ILoggerFactory loggers, TimeProvider time)
{
    private static readonly IReadOnlyDictionary<string, string> EspeakLabels = new Dictionary<string, string>
    {
        ["de"] = "Voice.Espeak.Male",
        ["de+m3"] = "Voice.Espeak.Male2",
        ["de+f3"] = "Voice.Espeak.Female",
        ["de+f4"] = "Voice.Espeak.Female2",
    };

    private readonly ILogger logger = loggers.CreateLogger<TenantSpeechSettings>();

    /// <summary>The stored choice, else the platform default.</summary>
    public async Task<TenantSpeechChoice> GetAsync(Guid tenantId, CancellationToken ct) =>
        (await ReadAsync(tenantId, ct)).Choice ?? await DefaultAsync(ct);

    /// <summary>All three engines with their voices; one without its credentials is listed as unavailable.</summary>
    public async Task<IReadOnlyList<SpeechProviderOption>> OptionsAsync(CancellationToken ct)
    {
        var keys = await KeysAsync(ct);
        return Enum.GetValues<SpeechProvider>().Select(p =>
        {
            var reason = UnavailableReason(p, keys);
            return new SpeechProviderOption(p, TelephonyTexts.Get("Speech.Provider." + p), reason is null, reason, Voices(p));
        }).ToList();
    }

    /// <summary>Stores the tenant's choice (audited). Refuses an engine without credentials ("provider") and a voice that
    /// engine does not have ("voice"); then nothing is stored. No voice means the engine's default voice.</summary>
    public async Task<Outcome<TenantSpeechChoice>> SaveAsync(Guid tenantId, SpeechProvider? provider, string? voice, Actor actor, CancellationToken ct)
    {
        var checkedChoice = await CheckAsync(provider, voice, ct);
        if (checkedChoice.Kind != OutcomeKind.Ok)
        {
            return checkedChoice;
        }

        var choice = checkedChoice.Value!;
        if (!await db.Tenants.AnyAsync(t => t.Id == tenantId, ct))
        {
            return Outcome<TenantSpeechChoice>.NotFound();
        }

        var row = await db.TenantSpeech.SingleOrDefaultAsync(s => s.TenantId == tenantId, ct);
        if (row is null)
        {
            row = new TenantSpeech { TenantId = tenantId, Provider = "", Voice = "" };
            db.TenantSpeech.Add(row);
        }

        row.Provider = Stored(choice.Provider);
        row.Voice = choice.Voice;
        row.UpdatedAt = time.GetUtcNow();
        row.UpdatedBy = actor.Email;
        db.Record(time, actor, AuditActions.SpeechChanged, tenantId, $"{row.Provider}, {row.Voice}");
        await db.SaveChangesAsync(ct);
        return Outcome<TenantSpeechChoice>.Ok(choice);
    }

    /// <summary>
    /// <paramref name="text"/> spoken by that engine and voice as a WAV (RIFF, 8 kHz mono 16-bit PCM — the phone's sound,
    /// and a format every browser's &lt;audio&gt; plays). The same refusals as <see cref="SaveAsync"/>; a failing engine is a
    /// conflict with a German message (the engine's own error goes to the log only).
    /// </summary>
    public async Task<Outcome<byte[]>> SampleWavAsync(SpeechProvider? provider, string? voice, string text, CancellationToken ct)
    {
        var checkedChoice = await CheckAsync(provider, voice, ct);
        if (checkedChoice.Kind != OutcomeKind.Ok)
        {
            return new Outcome<byte[]>(checkedChoice.Kind, Errors: checkedChoice.Errors, Message: checkedChoice.Message);
        }

        var choice = checkedChoice.Value!;
        var (_, tts, _) = await EnginesAsync(choice, "de-DE", ct);
        try
        {
            var mulaw = await tts.SynthesizeMuLawAsync(text, null, ct);
            return Outcome<byte[]>.Ok(WavFile.WriteNarrowband(MuLaw.Decode(mulaw)));
        }
        catch (PortException ex)
        {
            logger.LogWarning("Speech sample with {Provider}/{Voice} failed: {Reason}", choice.Provider, choice.Voice, ex.Message);
            return Outcome<byte[]>.Conflict(TelephonyTexts.Get("Speech.SampleFailed"));
        }
    }

    /// <summary>
    /// The voice Twilio's own &lt;Say&gt; speaks with in a gather-mode call: Twilio offers Google's voices as
    /// "Google.de-DE-…", so a tenant who chose a Google voice hears it there too; for espeak-ng and OpenAI voices, which
    /// Twilio does not have, null (Twilio's German default voice). Twilio speaks them itself: no Google credentials needed.
    /// </summary>
    public async Task<string?> TwilioSayVoiceAsync(Guid tenantId, CancellationToken ct) =>
        await GetAsync(tenantId, ct) is { Provider: SpeechProvider.Google } choice ? "Google." + choice.Voice : null;

    /// <summary>The tenant's engines for a call or the test console (see the class for the fallbacks).</summary>
    public async Task<(ISpeechToText? Stt, ITextToSpeech Tts)> EnginesAsync(Guid tenantId, CancellationToken ct)
    {
        var (stt, tts, _) = await CallEnginesAsync(tenantId, ct);
        return (stt, tts);
    }

    /// <summary>The tenant's engines for a realtime call, with streaming recognition where its engine offers it.</summary>
    public async Task<CallSpeechEngines> CallEnginesAsync(Guid tenantId, CancellationToken ct)
    {
        var (stored, country) = await ReadAsync(tenantId, ct);
        return await EnginesAsync(stored ?? await DefaultAsync(ct), LanguageOf(country), ct);
    }

    /// <summary>
    /// The tenant's Realtime mode, when it chose <see cref="SpeechProvider.OpenAiRealtime"/> and the OpenAI key is still
    /// stored: the key and the voice (the tenant's when a Realtime model has it, else <see cref="OpenAiOptions.Voice"/> or "alloy").
    /// Null for every other choice (and for the platform default): the call runs the normal pipeline.
    /// </summary>
    public async Task<RealtimeChoice?> RealtimeAsync(Guid tenantId, CancellationToken ct)
    {
        if ((await ReadAsync(tenantId, ct)).Choice is not { Provider: SpeechProvider.OpenAiRealtime } choice
            || (await KeysAsync(ct)).OpenAiKey is not { } key)
        {
            return null;
        }

        var fallback = RealtimeVoices.Contains(openAi.Value.Voice) ? openAi.Value.Voice : RealtimeVoices[0];
        return new RealtimeChoice(key, RealtimeVoices.Contains(choice.Voice) ? choice.Voice : fallback);
    }

    /// <summary>The speech voices the Realtime models speak with ("fable", "onyx" and "nova" are text-to-speech only: a
    /// session.update naming them is refused, and the call would run on the session's defaults).</summary>
    public static IReadOnlyList<string> RealtimeVoices { get; } = ["alloy", "ash", "ballad", "coral", "echo", "sage", "shimmer", "verse"];

    /// <summary>The voices the Speak activity may name for the tenant: those of its engine.</summary>
    public async Task<IReadOnlyList<Choice>> VoicesAsync(Guid tenantId, CancellationToken ct)
    {
        var choice = await GetAsync(tenantId, ct);
        return UnavailableReason(choice.Provider, await KeysAsync(ct)) is null ? Voices(choice.Provider) : Voices(SpeechProvider.Offline);
    }

    private async Task<CallSpeechEngines> EnginesAsync(TenantSpeechChoice choice, string languageCode, CancellationToken ct)
    {
        var keys = await KeysAsync(ct);
        (ISpeechToText? Stt, ITextToSpeech Tts) engines;
        switch (choice.Provider)
        {
            case SpeechProvider.OpenAi or SpeechProvider.OpenAiRealtime when keys.OpenAiKey is { } key:
                var options = openAi.Value with { ApiKey = key, Voice = choice.Voice };
                engines = SpeechEngines.Select(options, cache, loggers, time);
                return new CallSpeechEngines(engines.Stt, engines.Tts, SpeechEngines.Streaming(options, time));
            case SpeechProvider.Google when keys.Google is { } account:
                engines = SpeechEngines.GoogleCloud(google, account, choice.Voice, languageCode, cache);
                break;
            case SpeechProvider.Offline:
                engines = SpeechEngines.Offline(choice.Voice, cache, loggers, time);
                break;
            default:
                logger.LogWarning("Speech engine {Provider} has no credentials any more; speaking offline", choice.Provider);
                engines = SpeechEngines.Offline(EspeakTextToSpeech.DefaultVoice, cache, loggers, time);
                break;
        }

        return new CallSpeechEngines(engines.Stt, engines.Tts, null);
    }

    private async Task<Outcome<TenantSpeechChoice>> CheckAsync(SpeechProvider? provider, string? voice, CancellationToken ct)
    {
        if (provider is not { } p || !Enum.IsDefined(p))
        {
            return Outcome<TenantSpeechChoice>.Invalid("provider", TelephonyTexts.Get("Speech.ProviderRequired"));
        }

        if (UnavailableReason(p, await KeysAsync(ct)) is { } reason)
        {
            return Outcome<TenantSpeechChoice>.Invalid("provider", reason);
        }

        voice = voice?.Trim();
        if (string.IsNullOrEmpty(voice))
        {
            return Outcome<TenantSpeechChoice>.Ok(new TenantSpeechChoice(p, DefaultVoice(p)));
        }

        return Voices(p).Any(v => v.Value == voice)
            ? Outcome<TenantSpeechChoice>.Ok(new TenantSpeechChoice(p, voice))
            : Outcome<TenantSpeechChoice>.Invalid("voice", TelephonyTexts.Get("Speech.VoiceUnknown"));
    }

    private sealed record Keys(string? OpenAiKey, bool GoogleStored, GoogleServiceAccount? Google);

    private async Task<Keys> KeysAsync(CancellationToken ct)
    {
        var openAiKey = await settings.GetAsync(OpenAiOptions.ApiKeySetting, ct);
        var serviceAccount = await settings.GetAsync(GoogleCloudOptions.ServiceAccountSetting, ct);
        return new Keys(string.IsNullOrWhiteSpace(openAiKey) ? null : openAiKey, !string.IsNullOrWhiteSpace(serviceAccount), accounts.For(serviceAccount));
    }

    private static string? UnavailableReason(SpeechProvider provider, Keys keys) => provider switch
    {
        SpeechProvider.OpenAi or SpeechProvider.OpenAiRealtime when keys.OpenAiKey is null => TelephonyTexts.Get("Speech.Unavailable.OpenAi"),
        SpeechProvider.Google when !keys.GoogleStored => TelephonyTexts.Get("Speech.Unavailable.Google"),
        SpeechProvider.Google when keys.Google is null => TelephonyTexts.Get("Speech.Unavailable.GoogleInvalid"),
        _ => null,
    };

    private async Task<TenantSpeechChoice> DefaultAsync(CancellationToken ct) =>
        (await KeysAsync(ct)).OpenAiKey is null
            ? new TenantSpeechChoice(SpeechProvider.Offline, EspeakTextToSpeech.DefaultVoice)
            : new TenantSpeechChoice(SpeechProvider.OpenAi, DefaultVoice(SpeechProvider.OpenAi));

    private string DefaultVoice(SpeechProvider provider) => provider switch
    {
        SpeechProvider.OpenAi or SpeechProvider.OpenAiRealtime =>
            OpenAiTextToSpeech.VoiceNames.Contains(openAi.Value.Voice) ? openAi.Value.Voice : OpenAiTextToSpeech.VoiceNames[0],
        SpeechProvider.Google => GoogleVoices.Default,
        _ => EspeakTextToSpeech.DefaultVoice,
    };

    private static IReadOnlyList<Choice> Voices(SpeechProvider provider) => provider switch
    {
        SpeechProvider.OpenAi or SpeechProvider.OpenAiRealtime => OpenAiTextToSpeech.VoiceNames
            .Select(v => new Choice(v, Texts.Format("Voice.OpenAi", char.ToUpperInvariant(v[0]) + v[1..]))).ToList(),
        SpeechProvider.Google => GoogleVoices.All
            .Select(v => new Choice(v.Name, TelephonyTexts.Format(v.LabelKey, GoogleVoices.ShortName(v.Name)))).ToList(),
        _ => EspeakTextToSpeech.GermanVoices
            .Select(v => new Choice(v, Texts.Get(EspeakLabels.GetValueOrDefault(v, "Voice.Espeak.Male")))).ToList(),
    };

    private static string Stored(SpeechProvider provider) => provider.ToString().ToLowerInvariant();

    private static SpeechProvider? Parse(string stored) => stored switch
    {
        "offline" => SpeechProvider.Offline,
        "openai" => SpeechProvider.OpenAi,
        "google" => SpeechProvider.Google,
        "openairealtime" => SpeechProvider.OpenAiRealtime,
        _ => null,
    };

    private static string LanguageOf(string? country) => country switch
    {
        "AT" => "de-AT",
        "CH" => "de-CH",
        _ => "de-DE",
    };

    /// <summary>The stored choice (null: none) and the tenant's country, in the tenant's row-level-security scope: as it is
    /// when the unit of work already acts for the tenant (a call's webhook, a tenant's page), else entered for this read
    /// (a media stream, a sipgate prompt) — in the current transaction or a short one of its own.</summary>
    private async Task<(TenantSpeechChoice? Choice, string? Country)> ReadAsync(Guid tenantId, CancellationToken ct)
    {
        async Task<(TenantSpeechChoice?, string?)> Read()
        {
            var row = await db.Tenants.Where(t => t.Id == tenantId).Select(t => new
            {
                t.Country,
                Speech = db.TenantSpeech.Where(s => s.TenantId == t.Id).Select(s => new { s.Provider, s.Voice }).FirstOrDefault(),
            }).SingleOrDefaultAsync(ct);
            return (row?.Speech is { } s && Parse(s.Provider) is { } p ? new TenantSpeechChoice(p, s.Voice) : null, row?.Country);
        }

        return db.Database.CurrentTransaction is not null && (db.Scope.TenantId == tenantId || db.Scope.IsPlatform)
            ? await Read()
            : await db.InScopeAsync(scope => scope.UseTenant(tenantId), Read, ct);
    }
}
