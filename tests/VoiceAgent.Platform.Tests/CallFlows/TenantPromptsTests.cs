using System.Globalization;
using VoiceAgent.Activities.Ports;
using VoiceAgent.CallFlows.Prompts;
using VoiceAgent.Platform.Data;

namespace VoiceAgent.Platform.Tests.CallFlows;

/// <summary>The tenant prompt's pure rules: templates, the industry match, validation, opening hours, the disclosure.</summary>
public sealed class TenantPromptsTests
{
    // Validation, templates and the industry match never touch the database.
    private static readonly TenantPrompts Prompts = new(null!, TimeProvider.System);

    public TenantPromptsTests()
    {
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("de-DE");
    }

    [Fact]
    public void Every_template_is_valid_uses_the_placeholders_and_exists_in_german_and_english()
    {
        var german = Prompts.Templates("de");
        var english = Prompts.Templates("en");

        Assert.Equal(["praxis", "physiotherapie", "salon", "handwerk", "kanzlei", "allgemein"], german.Select(t => t.Key));
        Assert.Equal(german.Select(t => t.Key), english.Select(t => t.Key));
        Assert.All(german.Concat(english), t =>
        {
            Assert.Empty(Prompts.Validate(t.Text));
            Assert.Contains("{{ tenant.name }}", t.Text);
            Assert.Contains("{{ tenant.opening_hours }}", t.Text);
        });
        Assert.Equal("Arzt- und Zahnarztpraxis", german[0].Label);
        Assert.Equal("Medical and dental practice", english[0].Label);
        Assert.Contains("Du bist der Telefonassistent", german[0].Text);
        Assert.Contains("You are the phone assistant", english[0].Text);
    }

    [Theory]
    [InlineData("Zahnarztpraxis", "praxis")]
    [InlineData("Arztpraxis", "praxis")]
    [InlineData("Physiotherapiepraxis", "physiotherapie")]
    [InlineData("Friseursalon", "salon")]
    [InlineData("Kosmetikstudio", "salon")]
    [InlineData("Kfz-Werkstatt", "handwerk")]
    [InlineData("Elektriker", "handwerk")]
    [InlineData("Rechtsanwaltskanzlei", "kanzlei")]
    [InlineData("Steuerberatung", "kanzlei")]
    [InlineData("Gastronomie", "allgemein")]
    [InlineData("", "allgemein")]
    [InlineData(null, "allgemein")]
    public void The_tenants_industry_suggests_its_template(string? industry, string key)
    {
        Assert.Equal(key, Prompts.SuggestedFor(industry, "de").Key);
    }

    [Fact]
    public void Validation_names_each_problem_in_german()
    {
        Assert.Equal(["Bitte geben Sie einen System-Prompt ein."], Prompts.Validate("   "));
        Assert.Equal(["Bitte geben Sie einen System-Prompt ein."], Prompts.Validate(null));
        Assert.Equal(["Der System-Prompt ist zu kurz: mindestens 40 Zeichen, jetzt 12."], Prompts.Validate("Sei freundl."));
        Assert.Equal(["Der System-Prompt ist zu lang: höchstens 4.000 Zeichen, jetzt 4.001."], Prompts.Validate(new string('a', 4001)));
        Assert.Empty(Prompts.Validate(new string('a', 4000)));

        var unknown = Prompts.Validate("Du bist der Assistent von {{ tenant.name }}, Chef ist {{ tenant.owner }}. Sei freundlich.");
        var message = Assert.Single(unknown);
        Assert.StartsWith("Unbekannter Platzhalter „{{ tenant.owner }}“. Erlaubt sind: {{ tenant.name }}, {{ tenant.opening_hours }}", message);

        Assert.Equal(["Ein Platzhalter wird mit „{{“ geöffnet, aber nicht mit „}}“ geschlossen."],
            Prompts.Validate("Du bist der Assistent von {{ tenant.name und bist immer freundlich am Telefon."));
        Assert.Equal(["Ein „}}“ schließt einen Platzhalter, der nicht mit „{{“ geöffnet wurde."],
            Prompts.Validate("Du bist der Assistent von tenant.name }} und bist immer freundlich am Telefon."));
    }

    [Fact]
    public void Length_counts_characters_as_a_person_does()
    {
        // 39 letters plus one "ä" written as a + combining diaeresis (two UTF-16 units, one character): exactly 40.
        var text = new string('x', 39) + "a\u0308";
        Assert.Equal(41, text.Length);
        Assert.Empty(Prompts.Validate(text));

        // 38 letters and one emoji (two UTF-16 units): 39 characters, one too few.
        Assert.Equal(["Der System-Prompt ist zu kurz: mindestens 40 Zeichen, jetzt 39."], Prompts.Validate(new string('x', 38) + "😀"));
    }

    [Fact]
    public void Opening_hours_read_as_a_sentence()
    {
        var de = CultureInfo.GetCultureInfo("de-DE");
        Assert.Equal("Montag bis Freitag 9:00 bis 17:00 Uhr", TenantPrompts.OpeningHours(BusinessHours.Default, de));
        var split = BusinessHours.Parse("""{"mon":["08:00-12:00","14:00-18:00"],"tue":["08:00-12:00","14:00-18:00"],"wed":["08:00-12:00"],"sat":["09:00-12:30"]}""");
        Assert.Equal("Montag und Dienstag 8:00 bis 12:00 Uhr und 14:00 bis 18:00 Uhr; Mittwoch 8:00 bis 12:00 Uhr; Samstag 9:00 bis 12:30 Uhr",
            TenantPrompts.OpeningHours(split, de));
        Assert.Equal("nach Vereinbarung", TenantPrompts.OpeningHours(BusinessHours.Parse("{}"), de));
        Assert.Equal("Monday to Friday 9:00 to 17:00", TenantPrompts.OpeningHours(BusinessHours.Default, CultureInfo.GetCultureInfo("en")));
    }

    [Fact]
    public void The_disclosure_says_the_caller_talks_to_an_ai_of_the_business()
    {
        Assert.Equal("Guten Tag, Sie sprechen mit dem KI-Assistenten von Praxis Berg. Ich bin eine künstliche Intelligenz, kein Mensch.",
            TenantPrompts.Disclosure("de", "Praxis Berg"));
        Assert.Equal("Hello, you are speaking with the AI assistant of Praxis Berg. I am an artificial intelligence, not a person.",
            TenantPrompts.Disclosure("en", "Praxis Berg"));
    }

    [Fact]
    public async Task The_language_model_is_told_the_tenant_prompt_first_and_the_node_prompt_after_it()
    {
        var inner = new Recording();
        var reads = 0;
        var model = new TenantPromptedModel(inner, _ => { reads++; return Task.FromResult<string?>("Du bist der Assistent der Praxis Berg."); });

        await model.AskAsync(new ConversationRequest("Frage nach dem Anliegen.", [], [Intents.BookAppointment]), default);
        await model.AskAsync(new ConversationRequest("Frage nach dem Tag.", [], [Intents.BookAppointment]), default);

        Assert.Equal(["Du bist der Assistent der Praxis Berg.\n\nFrage nach dem Anliegen.", "Du bist der Assistent der Praxis Berg.\n\nFrage nach dem Tag."],
            inner.Prompts);
        Assert.Equal(1, reads);
    }

    private sealed class Recording : IConversationModel
    {
        public List<string> Prompts { get; } = [];

        public ValueTask<ConversationReply> AskAsync(ConversationRequest request, CancellationToken cancellationToken)
        {
            Prompts.Add(request.SystemPrompt);
            return ValueTask.FromResult(new ConversationReply(null, Intents.Unknown));
        }
    }
}
