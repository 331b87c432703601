using System.Globalization;
using VoiceAgent.Flows.Validation;

namespace VoiceAgent.Flows.Tests;

public sealed class ValidationTests
{
    public ValidationTests() => CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("de-DE");

    private static IReadOnlyList<ValidationError> Validate(Definitions.FlowDefinition flow) => FlowValidator.Validate(flow, Flow.Registry);

    private static ValidationError Single(Definitions.FlowDefinition flow, string code) =>
        Assert.Single(Validate(flow), e => e.Code == code);

    [Fact]
    public void A_complete_flow_is_valid() =>
        Assert.Empty(Validate(Flow.Of([("s", "Start", null), ("bye", "Hangup", new { goodbye = "Tschüss" })], ("s", "Done", "bye"))));

    [Fact]
    public void Missing_start_is_reported()
    {
        var error = Single(Flow.Of([("bye", "Hangup", null)]), ValidationCodes.MissingStart);
        Assert.Equal("Der Ablauf hat keinen Start-Knoten.", error.Message);
        Assert.Null(error.NodeId);
    }

    [Fact]
    public void A_second_start_is_reported_on_that_node() =>
        Assert.Equal("s2", Single(Flow.Of([("s", "Start", null), ("s2", "Start", null), ("bye", "Hangup", null)],
            ("s", "Done", "bye"), ("s2", "Done", "bye")), ValidationCodes.MultipleStarts).NodeId);

    [Fact]
    public void Unknown_type_names_the_node_and_type()
    {
        var error = Single(Flow.Of([("s", "Start", null), ("x", "Teleport", null)], ("s", "Done", "x")), ValidationCodes.UnknownType);
        Assert.Equal("x", error.NodeId);
        Assert.Equal("Unbekannter Aktivitätstyp „Teleport“.", error.Message);
    }

    [Fact]
    public void Duplicate_node_ids_are_reported() =>
        Single(Flow.Of([("s", "Start", null), ("a", "Hangup", null), ("a", "Hangup", null)], ("s", "Done", "a")), ValidationCodes.DuplicateNode);

    [Fact]
    public void Missing_required_input_uses_the_german_label()
    {
        var error = Single(Flow.Of([("s", "Start", null), ("say", "Speak", new { text = "  " }), ("bye", "Hangup", null)],
            ("s", "Done", "say"), ("say", "Done", "bye")), ValidationCodes.MissingInput);
        Assert.Equal("say", error.NodeId);
        Assert.Equal("Pflichtfeld „Text“ fehlt.", error.Message);
    }

    [Fact]
    public void Wrong_input_types_and_choices_are_reported()
    {
        var errors = Validate(Flow.Of([("s", "Start", null), ("l", "Listen", new { timeoutSeconds = "bald", expectation = "gedanken" }), ("bye", "Hangup", null)],
            ("s", "Done", "l"), ("l", "Recognized", "bye"), ("l", "NoInput", "bye"), ("l", "NoMatch", "bye")));
        Assert.Equal(2, errors.Count(e => e.Code == ValidationCodes.InvalidInput));
        Assert.Contains(errors, e => e.Message.Contains("Erlaubt: intent, yesno, datetime, digits, text"));
    }

    [Fact]
    public void Unknown_input_names_are_reported() =>
        Single(Flow.Of([("s", "Start", null), ("bye", "Hangup", new { farewell = "x" })], ("s", "Done", "bye")), ValidationCodes.UnknownInput);

    [Fact]
    public void Unconnected_outcome_is_reported_but_failed_may_stay_open()
    {
        var errors = Validate(Flow.Of([("s", "Start", null), ("find", "FindSlots", null), ("bye", "Hangup", null)],
            ("s", "Done", "find"), ("find", "Found", "bye")));
        var error = Assert.Single(errors);
        Assert.Equal(ValidationCodes.UnconnectedOutcome, error.Code);
        Assert.Equal("Der Ausgang „NotFound“ ist nicht verbunden.", error.Message);
    }

    [Fact]
    public void Connections_to_unknown_nodes_or_outcomes_and_duplicates_are_reported()
    {
        var errors = Validate(Flow.Of([("s", "Start", null), ("bye", "Hangup", null)],
            ("s", "Done", "bye"), ("s", "Done", "bye"), ("s", "Maybe", "bye"), ("s", "Done", "nowhere"), ("ghost", "Done", "bye")));
        Assert.Contains(errors, e => e.Code == ValidationCodes.DuplicateConnection);
        Assert.Contains(errors, e => e.Code == ValidationCodes.UnknownOutcome && e.Message == "„Start“ hat keinen Ausgang „Maybe“.");
        Assert.Equal(2, errors.Count(e => e.Code == ValidationCodes.UnknownNode));
    }

    [Fact]
    public void Unreachable_node_is_reported() =>
        Assert.Equal("lonely", Single(Flow.Of([("s", "Start", null), ("bye", "Hangup", null), ("lonely", "Hangup", null)],
            ("s", "Done", "bye")), ValidationCodes.UnreachableNode).NodeId);

    [Fact]
    public void Loop_without_a_waiting_activity_is_reported_with_its_path()
    {
        var error = Single(Flow.Of([("s", "Start", null), ("a", "Speak", new { text = "A" }), ("b", "SetVariable", new { name = "x", value = "1" })],
            ("s", "Done", "a"), ("a", "Done", "b"), ("b", "Done", "a")), ValidationCodes.LoopWithoutWait);
        Assert.Equal("Endlosschleife ohne Warten auf den Anrufer: a → b.", error.Message);
    }

    [Fact]
    public void Loop_through_listen_is_fine() =>
        Assert.Empty(Validate(Flow.Of([("s", "Start", null), ("a", "Speak", new { text = "A" }), ("l", "Listen", null)],
            ("s", "Done", "a"), ("a", "Done", "l"), ("l", "Recognized", "a"), ("l", "NoInput", "a"), ("l", "NoMatch", "a"))));

    [Fact]
    public void Self_loop_without_wait_is_reported() =>
        Single(Flow.Of([("s", "Start", null), ("d", "Decision", new { condition = "true" }), ("bye", "Hangup", null)],
            ("s", "Done", "d"), ("d", "True", "d"), ("d", "False", "bye")), ValidationCodes.LoopWithoutWait);

    [Fact]
    public void Bad_template_and_condition_syntax_name_the_position()
    {
        var errors = Validate(Flow.Of([("s", "Start", null), ("say", "Speak", new { text = "Hallo {{ caller.name" }),
                ("d", "Decision", new { condition = "intent == " }), ("bye", "Hangup", null)],
            ("s", "Done", "say"), ("say", "Done", "d"), ("d", "True", "bye"), ("d", "False", "bye")));
        var template = Assert.Single(errors, e => e.Code == ValidationCodes.TemplateSyntax);
        Assert.Equal("Fehler im Text „Text“ an Zeichen 7: Platzhalter „{{“ ohne „}}“.", template.Message);
        var condition = Assert.Single(errors, e => e.Code == ValidationCodes.ExpressionSyntax);
        Assert.Equal("d", condition.NodeId);
        Assert.Contains("Der Ausdruck endet zu früh.", condition.Message);
    }

    [Fact]
    public void Ask_outcomes_come_from_its_intent_list()
    {
        var flow = Flow.Of([("s", "Start", null), ("ask", "Ask", new { intents = new[] { "book_appointment", "human" } }), ("bye", "Hangup", null)],
            ("s", "Done", "ask"), ("ask", "book_appointment", "bye"), ("ask", "human", "bye"), ("ask", "Unknown", "bye"));
        Assert.Empty(Validate(flow));
    }

    [Fact]
    public void Messages_switch_to_english()
    {
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("en-GB");
        Assert.Equal("The flow has no Start node.", Single(Flow.Of([("bye", "Hangup", null)]), ValidationCodes.MissingStart).Message);
    }

    [Fact]
    public void Every_template_and_expression_default_parses()
    {
        var defaults = Flow.Registry.Descriptors.SelectMany(d => d.Inputs)
            .Where(i => i.Syntax != "literal" && i.Default is not null).ToList();
        Assert.NotEmpty(defaults);
        foreach (var input in defaults)
        {
            var text = input.Default!.GetValue<string>();
            if (input.Syntax == "template")
            {
                Expressions.FlowTemplate.Parse(text);
            }
            else
            {
                Expressions.FlowExpression.Parse(text);
            }
        }
    }

    [Fact]
    public void Descriptors_are_generated_from_attributes()
    {
        var listen = Flow.Registry.Descriptors.Single(d => d.Type == "Listen");
        Assert.Equal("Zuhören", listen.DisplayName.De);
        Assert.True(listen.Waits);
        Assert.Equal(["Recognized", "NoInput", "NoMatch"], listen.Outcomes.Select(o => o.Name));
        var expectation = listen.Inputs.Single(i => i.Name == "expectation");
        Assert.Equal("choice", expectation.UiHint);
        Assert.Equal("intent", expectation.Default!.GetValue<string>());
        Assert.Contains("yesno", expectation.Options!);
        string[] expected = ["Ask", "CancelEvent", "CreateEvent", "Decision", "FindSlots", "Handoff", "Hangup", "HttpRequest", "Listen",
            "ListEvents", "SetVariable", "Speak", "Start", "Transfer"];
        Assert.Equal(expected.Order(), Flow.Registry.Descriptors.Select(d => d.Type).Order());
    }
}

public sealed class ReadmeExampleTests
{
    [Fact]
    public void The_format_example_in_the_readme_is_a_valid_flow()
    {
        var dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "VoiceAgent.sln")))
        {
            dir = Path.GetDirectoryName(dir)!;
        }

        var readme = File.ReadAllText(Path.Combine(dir, "src/VoiceAgent.Flows/README.md"));
        var start = readme.IndexOf("```json", StringComparison.Ordinal) + 7;
        var json = readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)];

        Assert.Empty(FlowValidator.Validate(Definitions.FlowJson.Parse(json), Flow.Registry));
    }
}
