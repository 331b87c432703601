using VoiceAgent.Telephony.Speech;

namespace VoiceAgent.Platform.Tests.Telephony;

public sealed class UtteranceCompletenessTests
{
    [Theory]
    [InlineData("Ich möchte einen Termin.")]
    [InlineData("Ja")]
    [InlineData("Nein danke, tschüss!")]
    [InlineData("Am Dienstag um zehn.")]
    [InlineData("Geht das auch am Mittwoch?")]
    [InlineData("Einen Termin bitte.")]
    [InlineData("Ja, gerne.")]
    [InlineData("Machen wir es so.")]
    [InlineData("Bitte.")]
    public void Finished_utterances_end_the_turn_at_the_short_pause(string text) => Assert.True(UtteranceCompleteness.IsComplete(text));

    [Theory]
    [InlineData("Am Dienstag um")]
    [InlineData("Am Dienstag um.")]
    [InlineData("Ich hätte gern einen")]
    [InlineData("Ich möchte einen Termin und")]
    [InlineData("Also, äh")]
    [InlineData("Am besten so gegen halb")]
    [InlineData("Ich wollte fragen, ob...")]
    [InlineData("Am Montag,")]
    [InlineData("")]
    [InlineData(null)]
    public void Unfinished_utterances_wait_for_the_long_window(string? text) => Assert.False(UtteranceCompleteness.IsComplete(text));
}
