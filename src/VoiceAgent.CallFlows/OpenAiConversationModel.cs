using System.ClientModel;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using OpenAI.Chat;
using VoiceAgent.Activities.Ports;
using VoiceAgent.Platform.Security;

using VoiceAgent.Platform.Speech;

namespace VoiceAgent.CallFlows;

/// <summary>One dialog turn with an OpenAI chat model: the assistant text is the reply, a <c>set_intent</c> tool call
/// the intent. Whatever goes wrong within <see cref="OpenAiOptions.Timeout"/> (rate limit, 5xx, timeout, unreadable
/// response) is logged and answered by the fallback model, so the caller never hears silence. Streaming
/// (<see cref="StreamAsync"/>) hands each phrase on as it completes (<see cref="PhraseSplitter"/>); there the timeout
/// bounds the wait for each next piece of the stream, not the whole answer.</summary>
public sealed class OpenAiConversationModel : IStreamingConversationModel
{
    public const string SetIntentTool = "set_intent";

    private readonly ChatClient client;
    private readonly TimeSpan timeout;
    private readonly IConversationModel fallback;
    private readonly ILogger logger;
    private readonly TimeProvider time;
    private readonly string keyHint;

    /// <param name="options">Needs <see cref="OpenAiOptions.ApiKey"/>; the key is only ever logged as a hint.</param>
    /// <param name="fallback">Answers when OpenAI does not, and supplies the intent when the model called no tool
    /// (normally <see cref="RuleBasedConversationModel"/>).</param>
    public OpenAiConversationModel(OpenAiOptions options, IConversationModel fallback, ILogger<OpenAiConversationModel> logger, TimeProvider time)
    {
        if (string.IsNullOrWhiteSpace(options.ApiKey))
        {
            throw new ArgumentException("An OpenAI API key is required; without one use RuleBasedConversationModel.", nameof(options));
        }

        keyHint = SecretHint.For(options.ApiKey);
        client = new ChatClient(options.ChatModel, new ApiKeyCredential(options.ApiKey), OpenAiCalls.ClientOptions(options, "chat", keyHint, logger, time));
        timeout = options.Timeout;
        this.fallback = fallback;
        this.logger = logger;
        this.time = time;
    }

    public async ValueTask<ConversationReply> AskAsync(ConversationRequest request, CancellationToken cancellationToken)
    {
        using var budget = new CancellationTokenSource(timeout, time);
        using var turn = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token);
        string? text;
        string? intent;
        try
        {
            var completion = (await client.CompleteChatAsync(Messages(request), Options(request.Intents), turn.Token)).Value;
            // Reading can throw too: the SDK parses parts of the body lazily (a 200 without "choices").
            text = ReplyText(completion);
            intent = ToolIntent(completion);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("OpenAI chat ({KeyHint}) gave no answer within {TimeoutMs} ms; answering with the fallback model",
                keyHint, timeout.TotalMilliseconds);
            return await fallback.AskAsync(request, cancellationToken);
        }
        catch (ClientResultException ex)
        {
            // Status 0: no HTTP response at all (connection refused, DNS). The message is OpenAI's error text or the network
            // error, never request headers.
            logger.LogWarning("OpenAI chat ({KeyHint}) failed with HTTP status {StatusCode}: {Error}; answering with the fallback model",
                keyHint, ex.Status, OpenAiCalls.OneLine(ex.Message));
            return await fallback.AskAsync(request, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // A 200 whose body the SDK cannot read (JsonException and friends): still no reason to leave the caller in silence.
            logger.LogWarning(ex, "OpenAI chat ({KeyHint}) returned an unreadable response ({ExceptionType}); answering with the fallback model",
                keyHint, ex.GetType().Name);
            return await fallback.AskAsync(request, cancellationToken);
        }

        if (intent is null)
        {
            // The model answered without classifying; its words are still the better reply.
            intent = (await fallback.AskAsync(request, cancellationToken)).Intent;
        }

        return new ConversationReply(text, RuleBasedConversationModel.Allowed(request.Intents, intent));
    }

    public async ValueTask<ConversationReply> StreamAsync(ConversationRequest request, Func<string, ValueTask> speak, CancellationToken interrupted,
        CancellationToken cancellationToken)
    {
        using var budget = new CancellationTokenSource(timeout, time);
        using var turn = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token, interrupted);
        var splitter = new PhraseSplitter();
        var spoken = new StringBuilder();
        var calls = new SortedDictionary<int, (string? Name, StringBuilder Arguments)>();
        var finished = false;
        async ValueTask SayAsync(string phrase)
        {
            spoken.Append(spoken.Length == 0 ? "" : " ").Append(phrase);
            await speak(phrase);
        }

        try
        {
            await foreach (var update in client.CompleteChatStreamingAsync(Messages(request), Options(request.Intents), turn.Token))
            {
                budget.CancelAfter(timeout);
                finished |= update.FinishReason is not null;
                foreach (var part in update.ContentUpdate)
                {
                    if (part.Kind == ChatMessageContentPartKind.Text)
                    {
                        foreach (var phrase in splitter.Push(part.Text))
                        {
                            await SayAsync(phrase);
                        }
                    }
                }

                foreach (var call in update.ToolCallUpdates)
                {
                    var entry = calls.TryGetValue(call.Index, out var known) ? known : (null, new StringBuilder());
                    entry.Name ??= call.FunctionName;
                    entry.Arguments.Append(call.FunctionArgumentsUpdate?.ToString());
                    calls[call.Index] = entry;
                }
            }

            if (splitter.Flush() is { } rest)
            {
                await SayAsync(rest);
            }

            if (!finished)
            {
                // The connection ended without a finish reason: the answer is cut off, its tool call likely missing.
                logger.LogWarning("OpenAI chat stream ({KeyHint}) broke off before the answer was finished; keeping what was said, intent from the fallback model",
                    keyHint);
                return await PartialAsync(request, spoken, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (interrupted.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // The caller spoke over the answer: the rest is not said; the flow goes on with what was.
            return await PartialAsync(request, spoken, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is OperationCanceledException or ClientResultException
            or JsonException or InvalidOperationException or FormatException or KeyNotFoundException or IOException)
        {
            var reason = ex switch
            {
                OperationCanceledException => $"gave no next part within {timeout.TotalMilliseconds} ms",
                ClientResultException http => $"failed with HTTP status {http.Status}: {OpenAiCalls.OneLine(http.Message)}",
                _ => $"sent an unreadable stream ({ex.GetType().Name})",
            };
            logger.LogWarning("OpenAI chat stream ({KeyHint}) {Reason}; {Rest}", keyHint, reason,
                spoken.Length == 0 ? "answering with the fallback model" : "keeping what was said, intent from the fallback model");
            if (spoken.Length > 0)
            {
                return await PartialAsync(request, spoken, cancellationToken);
            }

            var reply = await fallback.AskAsync(request, cancellationToken);
            if (!string.IsNullOrWhiteSpace(reply.Text))
            {
                await speak(reply.Text);
            }

            return reply;
        }

        var intent = calls.Values.Where(c => c.Name == SetIntentTool).Select(c => IntentOf(c.Arguments.ToString())).FirstOrDefault()
            ?? (await fallback.AskAsync(request, cancellationToken)).Intent;
        return new ConversationReply(spoken.Length == 0 ? null : spoken.ToString(), RuleBasedConversationModel.Allowed(request.Intents, intent));
    }

    private async ValueTask<ConversationReply> PartialAsync(ConversationRequest request, StringBuilder spoken, CancellationToken cancellationToken)
    {
        var intent = (await fallback.AskAsync(request, cancellationToken)).Intent;
        return new ConversationReply(spoken.Length == 0 ? null : spoken.ToString(), RuleBasedConversationModel.Allowed(request.Intents, intent));
    }

    private static List<ChatMessage> Messages(ConversationRequest request)
    {
        var messages = new List<ChatMessage> { new SystemChatMessage(request.SystemPrompt.TrimEnd() + "\n\n" + Instructions(request.Intents)) };
        foreach (var (role, text) in request.Transcript)
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            if (role == "user")
            {
                messages.Add(new UserChatMessage(text));
            }
            else if (role == "assistant")
            {
                messages.Add(new AssistantChatMessage(text));
            }
        }

        return messages;
    }

    internal static string Instructions(IReadOnlyList<string> intents)
    {
        var text = new StringBuilder()
            .AppendLine("Bestimme bei jeder Antwort das Anliegen des Anrufers und rufe dafür das Werkzeug \"set_intent\" auf,")
            .AppendLine("mit {\"intent\": \"<eines aus der Liste>\"}. Erlaubte Anliegen:");
        foreach (var intent in intents.Distinct(StringComparer.Ordinal))
        {
            text.Append("- ").AppendLine(intent);
        }

        return text
            .AppendLine($"Wenn keines passt, nimm \"{Intents.Unknown}\".")
            .Append("Antworte dem Anrufer außerdem kurz auf Deutsch, in höchstens zwei Sätzen. ")
            .Append("Es ist ein Telefongespräch: keine Aufzählungen, keine Links, keine Emojis.")
            .ToString();
    }

    private static ChatCompletionOptions Options(IReadOnlyList<string> intents)
    {
        var parameters = new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject
            {
                ["intent"] = new JsonObject
                {
                    ["type"] = "string",
                    ["enum"] = new JsonArray(AllowedToolValues(intents).Select(i => (JsonNode?)JsonValue.Create(i)).ToArray()),
                },
            },
            ["required"] = new JsonArray("intent"),
            ["additionalProperties"] = false,
        };
        return new ChatCompletionOptions
        {
            Tools =
            {
                ChatTool.CreateFunctionTool(SetIntentTool, "Legt das erkannte Anliegen des Anrufers fest.",
                    BinaryData.FromString(parameters.ToJsonString()), functionSchemaIsStrict: true),
            },
            ToolChoice = ChatToolChoice.CreateAutoChoice(),
        };
    }

    private static IEnumerable<string> AllowedToolValues(IReadOnlyList<string> intents) =>
        intents.Append(Intents.Unknown).Distinct(StringComparer.Ordinal);

    private static string? ReplyText(ChatCompletion completion)
    {
        var text = string.Concat(completion.Content.Where(p => p.Kind == ChatMessageContentPartKind.Text).Select(p => p.Text)).Trim();
        return text.Length == 0 ? null : text;
    }

    private string? ToolIntent(ChatCompletion completion)
    {
        var call = completion.ToolCalls.FirstOrDefault(c => c.Kind == ChatToolCallKind.Function && c.FunctionName == SetIntentTool);
        return call is null ? null : IntentOf(call.FunctionArguments.ToString());
    }

    private string? IntentOf(string arguments)
    {
        try
        {
            using var parsed = JsonDocument.Parse(arguments);
            if (parsed.RootElement.ValueKind == JsonValueKind.Object
                && parsed.RootElement.TryGetProperty("intent", out var intent)
                && intent.ValueKind == JsonValueKind.String)
            {
                return intent.GetString();
            }
        }
        catch (JsonException)
        {
            // Logged below like any other unusable arguments.
        }

        logger.LogWarning("OpenAI chat ({KeyHint}) called {Tool} without a readable intent; using the fallback model's intent", keyHint, SetIntentTool);
        return null;
    }
}
