using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using VoiceAgent.CallFlows;
using VoiceAgent.Activities.Ports;
using VoiceAgent.Platform.Security;
using VoiceAgent.Platform.Speech;
using VoiceAgent.Telephony.Speech;
using VoiceAgent.Testing.Fakes;

namespace VoiceAgent.Platform.Tests.Speech;

public sealed class OpenAiConversationModelTests : IAsyncLifetime
{
    // A fake key, split so that secret scanners do not mistake the test data for a real credential.
    private const string ApiKey = "sk-proj-" + "T3stOnlyQx7vLm2NpR8sWz4Yk9Jd";

    private static readonly string[] Requested = [Intents.BookAppointment, Intents.QueryAppointments, Intents.Human];

    private static readonly ConversationRequest Request = new(
        "Du bist der Telefonassistent der Praxis Dr. Berg.",
        [("assistant", "Praxis Dr. Berg, guten Tag!"), ("user", "Ich bräuchte nächste Woche einen Termin.")],
        Requested);

    /// <summary>The fallback's answer is recognisable: no text and "human", which the fake never sends.</summary>
    private static readonly ConversationReply FallbackReply = new(null, Intents.Human);

    private readonly CapturingLogger<OpenAiConversationModel> logger = new();
    private FakeOpenAiServer fake = null!;

    public async Task InitializeAsync() => fake = await FakeOpenAiServer.StartAsync();

    public async Task DisposeAsync() => await fake.DisposeAsync();

    [Fact]
    public async Task Tool_call_sets_the_intent_and_the_assistant_text_is_the_reply()
    {
        fake.Enqueue(new FakeChatReply.Completion("Gern. An welchem Tag passt es Ihnen?", Intents.BookAppointment));

        var reply = await Model().AskAsync(Request, default);

        Assert.Equal(new ConversationReply("Gern. An welchem Tag passt es Ihnen?", Intents.BookAppointment), reply);
        Assert.DoesNotContain(logger.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task Request_carries_the_prompt_the_allowed_intents_the_set_intent_tool_and_the_bearer_key()
    {
        fake.Enqueue(new FakeChatReply.Completion("Gern.", Intents.BookAppointment));

        await Model().AskAsync(Request, default);

        var request = Assert.Single(fake.Requests);
        Assert.Equal(("POST", "/v1/chat/completions", "Bearer " + ApiKey), (request.Method, request.Path, request.Authorization));
        var body = request.Body!;
        Assert.Equal("gpt-4o-mini", (string?)body["model"]);

        var messages = body["messages"]!.AsArray();
        Assert.Equal(["system", "assistant", "user"], messages.Select(m => (string?)m!["role"]));
        var system = Text(messages[0]!["content"]);
        Assert.StartsWith(Request.SystemPrompt, system);
        Assert.Contains("set_intent", system);
        Assert.All(Requested, intent => Assert.Contains("- " + intent, system));
        Assert.Equal(["Praxis Dr. Berg, guten Tag!", "Ich bräuchte nächste Woche einen Termin."], messages.Skip(1).Select(m => Text(m!["content"])));

        var tool = Assert.Single(body["tools"]!.AsArray())!;
        Assert.Equal("function", (string?)tool["type"]);
        Assert.Equal("set_intent", (string?)tool["function"]!["name"]);
        var parameters = tool["function"]!["parameters"]!;
        Assert.Equal([.. Requested, Intents.Unknown], parameters["properties"]!["intent"]!["enum"]!.AsArray().Select(v => (string?)v));
        Assert.Equal(["intent"], parameters["required"]!.AsArray().Select(v => (string?)v));
    }

    [Fact]
    public async Task Intent_outside_the_requested_list_becomes_unknown()
    {
        fake.Enqueue(new FakeChatReply.Completion("Das kann ich leider nicht.", "order_pizza"));

        var reply = await Model().AskAsync(Request, default);

        Assert.Equal(new ConversationReply("Das kann ich leider nicht.", Intents.Unknown), reply);
    }

    [Fact]
    public async Task Text_without_a_tool_call_is_kept_and_the_rule_based_model_supplies_the_intent()
    {
        fake.Enqueue(new FakeChatReply.Completion("Einen Moment bitte.", Intent: null));

        var reply = await Model().AskAsync(Request, default);

        Assert.Equal(new ConversationReply("Einen Moment bitte.", Intents.Human), reply);
    }

    [Fact]
    public async Task Tool_call_without_text_gives_the_intent_and_no_reply()
    {
        fake.Enqueue(new FakeChatReply.Completion(Text: null, Intents.QueryAppointments));

        var reply = await Model().AskAsync(Request, default);

        Assert.Equal(new ConversationReply(null, Intents.QueryAppointments), reply);
    }

    [Fact]
    public async Task Rate_limit_with_a_short_retry_after_is_retried_once_and_then_succeeds()
    {
        fake.Enqueue(new FakeChatReply.RateLimited(TimeSpan.FromMilliseconds(200)), new FakeChatReply.Completion("Gern.", Intents.BookAppointment));

        var reply = await Model().AskAsync(Request, default);

        Assert.Equal(new ConversationReply("Gern.", Intents.BookAppointment), reply);
        Assert.Equal(2, fake.Requests.Count);
        // The wait the policy chose is the one OpenAI asked for (retry-after-ms), not a back-off of its own.
        Assert.Contains(logger.Entries, e => e.Message.Contains("retrying once after 200 ms"));
    }

    [Fact]
    public async Task A_second_rate_limit_is_not_retried_and_falls_back()
    {
        fake.Enqueue(
            new FakeChatReply.RateLimited(TimeSpan.FromMilliseconds(100)),
            new FakeChatReply.RateLimited(TimeSpan.FromMilliseconds(100)),
            new FakeChatReply.Completion("Gern.", Intents.BookAppointment));

        var reply = await Model().AskAsync(Request, default);

        Assert.Equal(FallbackReply, reply);
        Assert.Equal(2, fake.Requests.Count);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("429"));
    }

    [Fact]
    public async Task Rate_limit_with_a_long_retry_after_falls_back_without_waiting()
    {
        fake.Enqueue(new FakeChatReply.RateLimited(TimeSpan.FromSeconds(20)), new FakeChatReply.Completion("Gern.", Intents.BookAppointment));

        var reply = await Model().AskAsync(Request, default);

        Assert.Equal(FallbackReply, reply);
        Assert.Single(fake.Requests);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    public async Task Server_error_falls_back_to_the_rule_based_result_without_sdk_retries(int status)
    {
        fake.Enqueue(new FakeChatReply.Error(status), new FakeChatReply.Completion("Gern.", Intents.BookAppointment));

        var reply = await Model().AskAsync(Request, default);

        Assert.Equal(FallbackReply, reply);
        Assert.Single(fake.Requests);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains(status.ToString()));
    }

    [Fact]
    public async Task Hanging_response_falls_back_when_the_budget_is_spent_and_not_before()
    {
        var budget = TimeSpan.FromSeconds(10);
        var time = new FakeTimeProvider();
        fake.Enqueue(new FakeChatReply.Hang(Timeout.InfiniteTimeSpan));

        var turn = Model(budget, time: time).AskAsync(Request, default).AsTask();
        await fake.HangingAsync().WaitAsync(Guard);
        time.Advance(budget - TimeSpan.FromMilliseconds(1));
        Assert.False(turn.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        var reply = await turn.WaitAsync(Guard);

        Assert.Equal(FallbackReply, reply);
        Assert.Single(fake.Requests);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("10000 ms"));
    }

    [Theory]
    [InlineData("<html><body>502 Bad Gateway</body>{\"choices\":")]
    [InlineData("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\"}")]
    [InlineData("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[]}")]
    public async Task Unreadable_response_falls_back(string body)
    {
        fake.Enqueue(new FakeChatReply.Garbage(body));

        var reply = await Model().AskAsync(Request, default);

        Assert.Equal(FallbackReply, reply);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Warning);
    }

    [Fact]
    public async Task Unreachable_endpoint_falls_back()
    {
        var reply = await Model(endpoint: new Uri($"http://127.0.0.1:{ClosedPort()}/v1")).AskAsync(Request, default);

        Assert.Equal(FallbackReply, reply);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Warning);
    }

    [Fact]
    public async Task Api_key_never_appears_in_a_log_message()
    {
        fake.Enqueue(
            new FakeChatReply.Error(500),
            new FakeChatReply.Error(401),
            new FakeChatReply.RateLimited(TimeSpan.FromMilliseconds(50)), new FakeChatReply.RateLimited(TimeSpan.FromMilliseconds(50)),
            new FakeChatReply.Garbage(),
            new FakeChatReply.Hang(Timeout.InfiniteTimeSpan));
        var model = Model(TimeSpan.FromMilliseconds(500));

        for (var turn = 0; turn < 5; turn++)
        {
            Assert.Equal(FallbackReply, await model.AskAsync(Request, default));
        }

        var warnings = logger.Entries.Where(e => e.Level == LogLevel.Warning).ToList();
        Assert.Equal(5, warnings.Count);
        Assert.All(warnings, w => Assert.Contains(SecretHint.For(ApiKey), w.Message));
        Assert.All(logger.Entries, e => Assert.DoesNotContain(ApiKey, e.Message + e.Exception));
        Assert.All(logger.Entries, e => Assert.DoesNotContain(ApiKey[^12..], e.Message + e.Exception));
    }

    [Fact]
    public void Options_print_only_a_hint_of_the_key()
    {
        var text = new OpenAiOptions { ApiKey = ApiKey }.ToString();

        Assert.DoesNotContain(ApiKey, text);
        Assert.Contains(SecretHint.For(ApiKey), text);
    }

    [Fact]
    public async Task Caller_hanging_up_cancels_the_turn_instead_of_falling_back()
    {
        fake.Enqueue(new FakeChatReply.Hang(Timeout.InfiniteTimeSpan));
        using var hangUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Model().AskAsync(Request, hangUp.Token));
        Assert.DoesNotContain(logger.Entries, e => e.Level >= LogLevel.Warning);
    }

    /// <summary>Only keeps a broken test from hanging the run; nothing is measured.</summary>
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(1);

    private OpenAiConversationModel Model(TimeSpan? timeout = null, Uri? endpoint = null, TimeProvider? time = null) => new(
        new OpenAiOptions { ApiKey = ApiKey, Endpoint = endpoint ?? fake.Endpoint, Timeout = timeout ?? TimeSpan.FromSeconds(4) },
        new RuleBasedConversationModel(_ => Intents.Human),
        logger,
        time ?? TimeProvider.System);

    /// <summary>Message content is a string, or an array of parts ({"type":"text","text":…}); both are valid on the wire.</summary>
    private static string Text(JsonNode? content) => content switch
    {
        JsonValue value => (string)value!,
        JsonArray parts => string.Concat(parts.Select(p => (string?)p!["text"])),
        _ => "",
    };

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
