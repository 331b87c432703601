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
/// response) is logged and answered by the fallback model, so the caller never hears silence.</summary>
public sealed class OpenAiConversationModel : IConversationModel
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
        if (call is null)
        {
            return null;
        }

        try
        {
            using var arguments = JsonDocument.Parse(call.FunctionArguments);
            if (arguments.RootElement.ValueKind == JsonValueKind.Object
                && arguments.RootElement.TryGetProperty("intent", out var intent)
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
