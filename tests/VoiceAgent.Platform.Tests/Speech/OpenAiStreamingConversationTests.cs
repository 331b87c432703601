using Microsoft.Extensions.Logging;
using VoiceAgent.Activities.Ports;
using VoiceAgent.CallFlows;
using VoiceAgent.Platform.Speech;
using VoiceAgent.Testing.Fakes;

namespace VoiceAgent.Platform.Tests.Speech;

/// <summary>The streamed model answer: phrases go to speech while the model still writes, and a barge-in or a broken
/// stream keeps exactly what was spoken.</summary>
public sealed class OpenAiStreamingConversationTests : IAsyncLifetime
{
    private const string ApiKey = "sk-proj-" + "T3stOnlyStr34mQx7vLm2NpR8";

    private static readonly ConversationRequest Request = new(
        "Du bist der Telefonassistent der Praxis Dr. Berg.",
        [("user", "Ich bräuchte einen Termin.")],
        [Intents.BookAppointment, Intents.Human]);

    /// <summary>Only keeps a broken test from hanging the run; nothing is measured.</summary>
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(1);

    private readonly CapturingLogger<OpenAiConversationModel> logger = new();
    private readonly List<string> spoken = [];
    private FakeOpenAiServer fake = null!;

    public async Task InitializeAsync() => fake = await FakeOpenAiServer.StartAsync();

    public async Task DisposeAsync() => await fake.DisposeAsync();

    [Fact]
    public async Task The_first_sentence_is_spoken_before_the_model_has_finished_and_the_intent_comes_from_the_streamed_tool_call()
    {
        var rest = new TaskCompletionSource();
        var firstSpoken = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        fake.Enqueue(new FakeChatReply.Streamed(["Gern", ", das", " geht.", " An welchem", " Tag passt", " es Ihnen?"], Intents.BookAppointment, rest.Task,
            HoldAfter: 4));

        var turn = Model().StreamAsync(Request, phrase =>
        {
            spoken.Add(phrase);
            firstSpoken.TrySetResult(phrase);
            return ValueTask.CompletedTask;
        }, CancellationToken.None, CancellationToken.None).AsTask();

        // The model holds after "… An welchem": the first sentence is out, the turn is not over.
        Assert.Equal("Gern, das geht.", await firstSpoken.Task.WaitAsync(Guard));
        Assert.False(turn.IsCompleted);
        Assert.Equal(["Gern, das geht."], spoken);

        rest.SetResult();
        var reply = await turn.WaitAsync(Guard);

        Assert.Equal(["Gern, das geht.", "An welchem Tag passt es Ihnen?"], spoken);
        Assert.Equal(new ConversationReply("Gern, das geht. An welchem Tag passt es Ihnen?", Intents.BookAppointment), reply);
        Assert.True((bool?)Assert.Single(fake.Requests).Body!["stream"]);
    }

    [Fact]
    public async Task A_barge_in_stops_reading_the_stream_and_the_reply_is_what_was_spoken()
    {
        var never = new TaskCompletionSource();
        fake.Enqueue(new FakeChatReply.Streamed(["Am Dienstag", " um zehn.", " Oder lieber", " am Mittwoch?"], Intents.BookAppointment, never.Task, HoldAfter: 3));
        using var bargeIn = new CancellationTokenSource();

        var reply = await Model().StreamAsync(Request, async phrase =>
        {
            spoken.Add(phrase);
            await bargeIn.CancelAsync(); // the caller speaks over the first sentence
        }, bargeIn.Token, CancellationToken.None).AsTask().WaitAsync(Guard);

        Assert.Equal(["Am Dienstag um zehn."], spoken);
        // The intent comes from the fallback (rule-based) model: the stream never got to the tool call.
        Assert.Equal(new ConversationReply("Am Dienstag um zehn.", Intents.Human), reply);
        Assert.DoesNotContain(logger.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task A_stream_that_breaks_off_keeps_what_was_said_and_one_that_fails_at_once_falls_back()
    {
        var broken = new TaskCompletionSource();
        broken.SetCanceled();
        fake.Enqueue(
            new FakeChatReply.Streamed(["Einen Moment.", " Ich sehe"], Intents.BookAppointment, broken.Task, HoldAfter: 1),
            new FakeChatReply.Error(503));
        var model = Model();
        Task Speak(string phrase)
        {
            spoken.Add(phrase);
            return Task.CompletedTask;
        }

        var partial = await model.StreamAsync(Request, p => new ValueTask(Speak(p)), CancellationToken.None, CancellationToken.None).AsTask().WaitAsync(Guard);
        Assert.Equal(new ConversationReply("Einen Moment.", Intents.Human), partial);

        var fallback = await model.StreamAsync(Request, p => new ValueTask(Speak(p)), CancellationToken.None, CancellationToken.None).AsTask().WaitAsync(Guard);
        Assert.Equal(new ConversationReply(null, Intents.Human), fallback);
        Assert.Equal(["Einen Moment."], spoken);
        Assert.Equal(2, logger.Entries.Count(e => e.Level == LogLevel.Warning));
        Assert.All(logger.Entries, e => Assert.DoesNotContain(ApiKey, e.Message + e.Exception));
    }

    [Fact]
    public async Task A_model_without_streaming_speaks_its_whole_reply_once()
    {
        IConversationModel model = new FixedModel(new ConversationReply("Gern. Wann passt es?", Intents.BookAppointment));

        var reply = await model.StreamOrAskAsync(Request, phrase =>
        {
            spoken.Add(phrase);
            return ValueTask.CompletedTask;
        }, CancellationToken.None, CancellationToken.None);

        Assert.Equal(["Gern. Wann passt es?"], spoken);
        Assert.Equal(Intents.BookAppointment, reply.Intent);
    }

    private OpenAiConversationModel Model() => new(
        new OpenAiOptions { ApiKey = ApiKey, Endpoint = fake.Endpoint, Timeout = TimeSpan.FromSeconds(20) },
        new RuleBasedConversationModel(_ => Intents.Human),
        logger,
        TimeProvider.System);

    private sealed class FixedModel(ConversationReply reply) : IConversationModel
    {
        public ValueTask<ConversationReply> AskAsync(ConversationRequest request, CancellationToken cancellationToken) => ValueTask.FromResult(reply);
    }
}
