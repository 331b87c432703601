using System.Text;
using VoiceAgent.Flows.Runtime;
using VoiceAgent.Platform.Speech;
using VoiceAgent.Telephony.Speech;

namespace VoiceAgent.Platform.Tests.Speech;

public sealed class CachingTextToSpeechTests
{
    [Fact]
    public async Task Second_request_for_the_same_text_and_voice_does_not_reach_the_engine()
    {
        var engine = new CountingEngine();
        var tts = new CachingTextToSpeech(engine);

        var first = await tts.SynthesizeMuLawAsync("Praxis Dr. Berg, guten Tag!", "de", default);
        var second = await tts.SynthesizeMuLawAsync("Praxis Dr. Berg, guten Tag!", "de", default);

        Assert.Equal(first, second);
        Assert.Equal(1, engine.Calls);
    }

    [Fact]
    public async Task Another_voice_or_text_reaches_the_engine()
    {
        var engine = new CountingEngine();
        var tts = new CachingTextToSpeech(engine);

        await tts.SynthesizeMuLawAsync("Guten Tag!", "de", default);
        await tts.SynthesizeMuLawAsync("Guten Tag!", "de+f3", default);
        await tts.SynthesizeMuLawAsync("Guten Tag.", "de", default);

        Assert.Equal(3, engine.Calls);
    }

    [Fact]
    public async Task Least_recently_used_entry_is_evicted_first()
    {
        var engine = new CountingEngine();
        var tts = new CachingTextToSpeech(engine, capacity: 2);

        await tts.SynthesizeMuLawAsync("a", null, default);
        await tts.SynthesizeMuLawAsync("b", null, default);
        await tts.SynthesizeMuLawAsync("a", null, default); // a is now more recent than b
        await tts.SynthesizeMuLawAsync("c", null, default); // evicts b
        Assert.Equal(3, engine.Calls);

        await tts.SynthesizeMuLawAsync("a", null, default);
        await tts.SynthesizeMuLawAsync("c", null, default);
        Assert.Equal(3, engine.Calls);

        await tts.SynthesizeMuLawAsync("b", null, default);
        Assert.Equal(4, engine.Calls);
    }

    [Fact]
    public async Task Failures_are_not_cached()
    {
        var engine = new CountingEngine { FailNext = true };
        var tts = new CachingTextToSpeech(engine);

        await Assert.ThrowsAsync<PortException>(async () => await tts.SynthesizeMuLawAsync("Hallo", null, default));
        Assert.NotEmpty(await tts.SynthesizeMuLawAsync("Hallo", null, default));
        Assert.Equal(2, engine.Calls);
    }

    [Fact]
    public async Task Concurrent_requests_for_the_same_text_share_one_synthesis()
    {
        var release = new TaskCompletionSource();
        var engine = new CountingEngine { Gate = release.Task };
        var tts = new CachingTextToSpeech(engine);

        var first = tts.SynthesizeMuLawAsync("Bitte warten.", null, default).AsTask();
        var second = tts.SynthesizeMuLawAsync("Bitte warten.", null, default).AsTask();
        release.SetResult();

        Assert.Equal(await first, await second);
        Assert.Equal(1, engine.Calls);
    }

    [Fact]
    public async Task A_caller_hanging_up_does_not_fail_the_others_and_the_result_is_still_cached()
    {
        var release = new TaskCompletionSource();
        var engine = new CountingEngine { Gate = release.Task };
        var tts = new CachingTextToSpeech(engine);
        using var hangUp = new CancellationTokenSource();

        var leaving = tts.SynthesizeMuLawAsync("Bitte warten.", null, hangUp.Token).AsTask();
        var staying = tts.SynthesizeMuLawAsync("Bitte warten.", null, default).AsTask();
        await hangUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => leaving);
        release.SetResult();

        Assert.NotEmpty(await staying);
        await tts.SynthesizeMuLawAsync("Bitte warten.", null, default);
        Assert.Equal(1, engine.Calls);
    }

    [Fact]
    public async Task Returned_audio_is_a_copy_the_caller_may_change()
    {
        var tts = new CachingTextToSpeech(new CountingEngine());

        var first = await tts.SynthesizeMuLawAsync("Hallo", null, default);
        var original = first.ToArray();
        Array.Fill(first, (byte)0);

        Assert.Equal(original, await tts.SynthesizeMuLawAsync("Hallo", null, default));
    }

    [Fact]
    public async Task Engines_sharing_one_cache_do_not_get_each_others_audio()
    {
        var cache = new TextToSpeechCache();
        var espeak = new CountingEngine { Marker = 1 };
        var openAi = new CountingEngine { Marker = 2 };

        var fromEspeak = await new CachingTextToSpeech(espeak, cache, "espeak-ng").SynthesizeMuLawAsync("Hallo", null, default);
        var fromOpenAi = await new CachingTextToSpeech(openAi, cache, "openai/gpt-4o-mini-tts/alloy").SynthesizeMuLawAsync("Hallo", null, default);
        await new CachingTextToSpeech(new CountingEngine(), cache, "espeak-ng").SynthesizeMuLawAsync("Hallo", null, default);

        Assert.NotEqual(fromEspeak, fromOpenAi);
        Assert.Equal((1, 1, 2), (espeak.Calls, openAi.Calls, cache.Count));
    }

    [Fact]
    public async Task Empty_text_is_not_cached()
    {
        var engine = new CountingEngine();
        var tts = new CachingTextToSpeech(engine);

        await tts.SynthesizeMuLawAsync("", null, default);
        await tts.SynthesizeMuLawAsync("", null, default);

        Assert.Equal(2, engine.Calls);
    }

    /// <summary>Answers with the UTF-8 bytes of voice, text and marker, so different requests give different audio.</summary>
    private sealed class CountingEngine : ITextToSpeech
    {
        private int calls;

        public int Calls => calls;

        public bool FailNext { get; set; }

        public Task? Gate { get; set; }

        public byte Marker { get; init; }

        public async ValueTask<byte[]> SynthesizeMuLawAsync(string text, string? voice, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref calls);
            if (Gate is not null)
            {
                await Gate.WaitAsync(cancellationToken);
            }

            if (FailNext)
            {
                FailNext = false;
                throw new PortException("engine down");
            }

            return [.. Encoding.UTF8.GetBytes(voice + "|" + text), Marker];
        }
    }
}
