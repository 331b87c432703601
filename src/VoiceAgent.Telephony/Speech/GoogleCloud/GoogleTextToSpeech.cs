using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using VoiceAgent.Flows.Runtime;
using VoiceAgent.Platform.Audio;
using VoiceAgent.Platform.Speech;

namespace VoiceAgent.Telephony.Speech.GoogleCloud;

/// <summary>
/// Speech from Google Cloud Text-to-Speech v1 <c>text:synthesize</c> as 8 kHz μ-law (<c>MULAW</c>, the format of Twilio
/// Media Streams). Google documents that MULAW <c>audioContent</c> also contains a WAV header: it is removed here, since
/// <see cref="ITextToSpeech"/> hands out raw μ-law (a header would be played as a click). Should a 16-bit PCM WAV come
/// back instead, it is resampled and encoded.
/// </summary>
/// <param name="defaultVoice">The tenant's voice; used when the flow names none or one that is not a Google voice.</param>
public sealed class GoogleTextToSpeech(GoogleCloudApi api, GoogleServiceAccount account, string defaultVoice) : ITextToSpeech
{
    /// <summary>Google's limit for the input text (bytes of UTF-8).</summary>
    public const int MaxInputBytes = 5000;

    private const ushort FormatPcm = 1;
    private const ushort FormatMuLaw = 7;

    public async ValueTask<byte[]> SynthesizeMuLawAsync(string text, string? voice, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        var size = Encoding.UTF8.GetByteCount(text);
        if (size > MaxInputBytes)
        {
            throw new PortException($"Google speech synthesis accepts at most {MaxInputBytes} bytes of text; the text has {size}.");
        }

        var speaker = GoogleVoices.IsKnown(voice) ? voice! : defaultVoice;
        var body = new JsonObject
        {
            ["input"] = new JsonObject { ["text"] = text },
            ["voice"] = new JsonObject { ["languageCode"] = GoogleVoices.LanguageOf(speaker), ["name"] = speaker },
            ["audioConfig"] = new JsonObject { ["audioEncoding"] = "MULAW", ["sampleRateHertz"] = AudioFrames.SampleRate },
        };
        var url = new Uri(api.Options.TextToSpeechBaseUrl, "/v1/text:synthesize");
        var answer = await api.PostAsync(url, body, account, "speech synthesis", cancellationToken);
        if ((string?)answer["audioContent"] is not { Length: > 0 } content)
        {
            throw new PortException($"Google speech synthesis ({account.ClientEmail}) returned no audio.");
        }

        byte[] audio;
        try
        {
            audio = Convert.FromBase64String(content);
        }
        catch (FormatException ex)
        {
            throw new PortException($"Google speech synthesis ({account.ClientEmail}) returned audio that is not base64.", ex);
        }

        return MuLawOf(audio);
    }

    /// <summary>The raw μ-law samples: the data chunk of a WAV (μ-law as it is; 16-bit PCM resampled and encoded), or the
    /// bytes as they are when there is no RIFF header.</summary>
    /// <exception cref="PortException">A WAV in another format, or without data.</exception>
    internal static byte[] MuLawOf(byte[] audio)
    {
        var span = audio.AsSpan();
        if (span.Length < 12 || !span[..4].SequenceEqual("RIFF"u8) || !span.Slice(8, 4).SequenceEqual("WAVE"u8))
        {
            return audio;
        }

        ushort? format = null;
        var channels = 0;
        var rate = 0;
        var offset = 12;
        while (offset + 8 <= span.Length)
        {
            var id = span.Slice(offset, 4);
            var declared = BinaryPrimitives.ReadUInt32LittleEndian(span.Slice(offset + 4, 4));
            var start = offset + 8;
            var length = (int)Math.Min(declared, (uint)(span.Length - start));
            if (id.SequenceEqual("fmt "u8) && length >= 16)
            {
                format = BinaryPrimitives.ReadUInt16LittleEndian(span.Slice(start, 2));
                channels = BinaryPrimitives.ReadUInt16LittleEndian(span.Slice(start + 2, 2));
                rate = (int)BinaryPrimitives.ReadUInt32LittleEndian(span.Slice(start + 4, 4));
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (declared is 0 or uint.MaxValue)
                {
                    length = span.Length - start; // streamed: the data runs to the end
                }

                return format switch
                {
                    FormatMuLaw when channels == 1 && rate == AudioFrames.SampleRate => span.Slice(start, length).ToArray(),
                    FormatPcm => PcmToMuLaw(audio),
                    _ => throw new PortException($"Google speech synthesis returned WAV format {format} ({channels} channels, {rate} Hz) instead of 8 kHz μ-law."),
                };
            }

            offset = start + length + (length & 1);
        }

        throw new PortException("Google speech synthesis returned a WAV without audio data.");
    }

    private static byte[] PcmToMuLaw(byte[] wav)
    {
        try
        {
            var pcm = WavFile.Read(wav);
            return MuLaw.Encode(Resampler.Resample(pcm.Samples, pcm.SampleRate));
        }
        catch (InvalidDataException ex)
        {
            throw new PortException("Google speech synthesis returned an unreadable WAV.", ex);
        }
    }
}
