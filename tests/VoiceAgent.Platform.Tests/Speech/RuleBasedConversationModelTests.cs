using VoiceAgent.CallFlows;
using VoiceAgent.Activities.Ports;
using VoiceAgent.Platform.Speech;
using VoiceAgent.Telephony.Speech;

namespace VoiceAgent.Platform.Tests.Speech;

public sealed class RuleBasedConversationModelTests
{
    private static readonly string[] Requested = [Intents.BookAppointment, Intents.Human];

    private readonly List<string> classified = [];

    private RuleBasedConversationModel Model() => new(text =>
    {
        classified.Add(text);
        return text.Contains("Termin", StringComparison.OrdinalIgnoreCase) ? Intents.BookAppointment
            : text.Contains("tschüss", StringComparison.OrdinalIgnoreCase) ? Intents.Goodbye
            : Intents.Unknown;
    });

    [Fact]
    public async Task The_last_user_line_decides_the_intent_and_nothing_is_said()
    {
        var reply = await Model().AskAsync(Request(("user", "Hallo"), ("user", "Ich hätte gern einen Termin"), ("assistant", "Gern.")), default);

        Assert.Equal(new ConversationReply(null, Intents.BookAppointment), reply);
        Assert.Equal(["Ich hätte gern einen Termin"], classified);
    }

    [Fact]
    public async Task An_intent_the_flow_did_not_ask_for_is_unknown()
    {
        var reply = await Model().AskAsync(Request(("user", "Danke, tschüss")), default);

        Assert.Equal(Intents.Unknown, reply.Intent);
    }

    [Fact]
    public async Task Without_caller_words_the_intent_is_unknown_and_nothing_is_classified()
    {
        var reply = await Model().AskAsync(Request(("assistant", "Guten Tag!"), ("user", "  ")), default);

        Assert.Equal(Intents.Unknown, reply.Intent);
        Assert.Empty(classified);
    }

    [Fact]
    public async Task The_intent_is_returned_as_the_flow_spells_it()
    {
        var model = new RuleBasedConversationModel(_ => " HUMAN ");

        var reply = await model.AskAsync(Request(("user", "Einen Menschen bitte")), default);

        Assert.Equal(Intents.Human, reply.Intent);
    }

    private static ConversationRequest Request(params (string Role, string Text)[] transcript) =>
        new("Du bist ein Telefonassistent.", transcript, Requested);
}
