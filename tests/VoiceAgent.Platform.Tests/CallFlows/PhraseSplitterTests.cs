using VoiceAgent.CallFlows;

namespace VoiceAgent.Platform.Tests.CallFlows;

public sealed class PhraseSplitterTests
{
    [Theory]
    [InlineData("Gern. Wann passt es Ihnen?", new[] { "Gern.", "Wann passt es Ihnen?" })]
    [InlineData("Ihr Termin ist am 3. Dezember um 10 Uhr. Passt das?", new[] { "Ihr Termin ist am 3. Dezember um 10 Uhr.", "Passt das?" })]
    [InlineData("Bringen Sie z. B. Ihre Karte mit. Danke!", new[] { "Bringen Sie z. B. Ihre Karte mit.", "Danke!" })]
    [InlineData("Dr. Berg ist ab Mo. wieder da. Bis dann…", new[] { "Dr. Berg ist ab Mo. wieder da.", "Bis dann…" })]
    [InlineData("Machen wir es so. Gut!", new[] { "Machen wir es so.", "Gut!" })]
    [InlineData("Hm... gut, dann eben morgen", new[] { "Hm...", "gut, dann eben morgen" })]
    public void Sentences_are_cut_where_a_speaker_would_pause_and_not_at_dates_or_abbreviations(string text, string[] expected)
    {
        foreach (var chunking in new[] { 1, 3, 7, text.Length })
        {
            var splitter = new PhraseSplitter();
            var phrases = new List<string>();
            for (var i = 0; i < text.Length; i += chunking)
            {
                phrases.AddRange(splitter.Push(text.Substring(i, Math.Min(chunking, text.Length - i))));
            }

            if (splitter.Flush() is { } rest)
            {
                phrases.Add(rest);
            }

            Assert.Equal(expected, phrases);
        }
    }

    [Fact]
    public void A_long_sentence_is_cut_at_a_clause_break_a_short_one_is_not()
    {
        var splitter = new PhraseSplitter();
        Assert.Empty(splitter.Push("Ja, gern"));
        var phrases = splitter.Push(", ich habe am Dienstag und am Donnerstag Vormittag noch etwas frei, und zwar jeweils ab neun Uhr");

        Assert.Equal(["Ja, gern, ich habe am Dienstag und am Donnerstag Vormittag noch etwas frei,"], phrases);
        Assert.Equal("und zwar jeweils ab neun Uhr", splitter.Flush());
    }

    [Fact]
    public void A_boundary_at_the_very_end_waits_for_the_next_piece()
    {
        var splitter = new PhraseSplitter();
        Assert.Empty(splitter.Push("Am 3."));
        Assert.Empty(splitter.Push(" Mai"));
        Assert.Equal(["Am 3. Mai geht es."], splitter.Push(" geht es. "));
        Assert.Null(splitter.Flush());
    }
}
