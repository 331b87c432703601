using Microsoft.Extensions.Time.Testing;
using NodaTime;
using VoiceAgent.Activities.Ports;
using VoiceAgent.CallFlows;
using VoiceAgent.CallFlows.Prompts;

namespace VoiceAgent.Platform.Tests.CallFlows;

/// <summary>Listen with a language model (issue #15): the rules first, the model (with the tenant's prompt) only for what they miss.</summary>
public sealed class ModelAssistedUnderstandingTests
{
    private static readonly NluUnderstanding Rules =
        new(DateTimeZoneProviders.Tzdb["Europe/Berlin"], new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero)));

    [Fact]
    public async Task What_the_rules_understand_never_reaches_the_model()
    {
        var model = new Scripted(Intents.Human);
        var understanding = new ModelAssistedUnderstanding(Rules, model);

        Assert.Equal(Intents.BookAppointment, (await understanding.UnderstandAsync("Ich möchte einen Termin vereinbaren", default)).Intent);
        var yes = await understanding.UnderstandAsync("Ja, gerne", default);
        Assert.True(yes.YesNo);
        var date = await understanding.UnderstandAsync("Am Dienstag um zehn", default);
        Assert.NotNull(date.Date);
        Assert.Empty(model.Requests);
    }

    [Fact]
    public async Task What_the_rules_miss_is_classified_by_the_model_with_the_tenant_prompt_first()
    {
        var inner = new Scripted(Intents.BookAppointment);
        var model = new TenantPromptedModel(inner, _ => Task.FromResult<string?>("Sie sind die Telefonassistenz des Salons Haarmonie."));
        var understanding = new ModelAssistedUnderstanding(NothingUnderstood, model);

        var heard = await understanding.UnderstandAsync("Ich bräuchte mal wieder einen frischen Schnitt", default);

        Assert.Equal(Intents.BookAppointment, heard.Intent);
        var request = Assert.Single(inner.Requests);
        Assert.StartsWith("Sie sind die Telefonassistenz des Salons Haarmonie.\n\n", request.SystemPrompt, StringComparison.Ordinal);
        Assert.Equal([("user", "Ich bräuchte mal wieder einen frischen Schnitt")], request.Transcript);
        Assert.Contains(Intents.Unknown, request.Intents);
    }

    [Fact]
    public async Task An_intent_outside_the_list_counts_as_not_understood()
    {
        var understanding = new ModelAssistedUnderstanding(NothingUnderstood, new Scripted("order_pizza"));
        Assert.Equal(Intents.Unknown, (await understanding.UnderstandAsync("Ich bräuchte mal wieder einen frischen Schnitt", default)).Intent);
    }

    /// <summary>Rules that understand nothing (which utterances the real German NLU misses changes as it learns).</summary>
    private static readonly ILanguageUnderstanding NothingUnderstood = new Nothing();

    private sealed class Nothing : ILanguageUnderstanding
    {
        public ValueTask<Understanding> UnderstandAsync(string text, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new Understanding(Intents.Unknown, null, null, null, null, null));
    }

    private sealed class Scripted(string intent) : IConversationModel
    {
        public List<ConversationRequest> Requests { get; } = [];

        public ValueTask<ConversationReply> AskAsync(ConversationRequest request, CancellationToken cancellationToken)
        {
            Requests.Add(request);
            return ValueTask.FromResult(new ConversationReply(null, intent));
        }
    }
}
