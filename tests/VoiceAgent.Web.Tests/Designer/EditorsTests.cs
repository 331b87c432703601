using System.Reflection;
using System.Text.Json.Nodes;
using Bunit;
using Microsoft.AspNetCore.Components.Web;
using VoiceAgent.Activities.Calls;
using VoiceAgent.Designer.Properties;
using VoiceAgent.Designer.Properties.Editors;
using VoiceAgent.Flows.Descriptors;

namespace VoiceAgent.Web.Tests.Designer;

/// <summary>The property editors by UI hint: the one registry, and what each editor previews while typing and commits
/// (one undo step) when the field is left — including bad input, which changes nothing.</summary>
public sealed class EditorsTests : EditorsTestBase
{
    [Fact]
    public void Registry_has_an_editor_for_every_ui_hint_constant()
    {
        var hints = new[] { typeof(UiHints), typeof(CallUiHints) }
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static))
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToList();

        Assert.Equal(15, hints.Count);
        Assert.All(hints, hint => Assert.True(PropertyEditors.ByHint.ContainsKey(hint), $"no editor for the UI hint {hint}"));
        Assert.Equal(hints.Order(), PropertyEditors.ByHint.Keys.Order());
        Assert.All(PropertyEditors.ByHint.Values, type => Assert.True(type.IsSubclassOf(typeof(PropertyEditorBase)) && !type.IsAbstract));
        Assert.Equal(typeof(TransferTargetEditor), PropertyEditors.For(CallUiHints.TransferTarget));
        Assert.Equal(typeof(BusinessHoursEditor), PropertyEditors.For(UiHints.BusinessHours));
    }

    [Theory]
    [InlineData("colour-wheel")]
    [InlineData("")]
    [InlineData(null)]
    public void An_unknown_hint_gets_the_single_line_text_field(string? hint) =>
        Assert.Equal(typeof(SingleLineEditor), PropertyEditors.For(hint));

    [Fact]
    public void Single_line_previews_while_typing_commits_on_change_and_empty_removes_the_value()
    {
        var editor = Editor<SingleLineEditor>(Input("goodbye", UiHints.SingleLine, "Auf Wiederhören!", required: true), "Tschüss");
        var field = editor.Find("input#va-in-goodbye");
        Assert.Equal("Tschüss", field.GetAttribute("value"));
        Assert.Equal("Auf Wiederhören!", field.GetAttribute("placeholder"));
        Assert.Equal("va-in-goodbye-hint", field.GetAttribute("aria-describedby"));

        field.Input("Bis bald");
        Assert.Equal(["\"Bis bald\""], Previews.Select(Json));
        Assert.Empty(Commits);

        editor.Find("input").Change("");
        Assert.Equal([null], Commits.Select(Json));
    }

    [Fact]
    public void Number_takes_a_german_decimal_comma_and_shows_numbers_the_german_way()
    {
        var editor = Editor<NumberEditor>(Input("retries", UiHints.Number, 2), 1.25);
        Assert.Equal("1,25", editor.Find("input").GetAttribute("value"));
        Assert.Equal("decimal", editor.Find("input").GetAttribute("inputmode"));

        editor.Find("input").Input("1,5");
        editor.Find("input").Change("3");

        Assert.Equal(["1.5"], Previews.Select(Json));
        Assert.Equal(["3"], Commits.Select(Json));
        Assert.Equal(System.Text.Json.JsonValueKind.Number, Commits[0]!.GetValueKind());
    }

    [Fact]
    public void Number_shows_the_default_and_empty_means_the_default()
    {
        var editor = Editor<NumberEditor>(Input("retries", UiHints.Number, 2));
        Assert.Equal("2", editor.Find("input").GetAttribute("value"));

        editor.Find("input").Change(" ");
        Assert.Equal([null], Commits.Select(Json));
    }

    [Fact]
    public void Text_that_is_no_number_shows_a_german_error_and_changes_nothing()
    {
        var editor = Editor<NumberEditor>(Input("retries", UiHints.Number), 2);

        editor.Find("input").Input("zwei");
        Assert.Empty(Previews);
        Assert.Equal("Bitte eine Zahl eingeben, z. B. 1,5.", editor.Find("[role=alert]").TextContent);
        Assert.Equal("true", editor.Find("input").GetAttribute("aria-invalid"));

        // Leaving the field hands back the stored value: no change, no undo step, earlier previews undone.
        editor.Find("input").Change("zwei");
        Assert.Equal(["2"], Commits.Select(Json));

        editor.Find("input").Change("4");
        Assert.Empty(editor.FindAll("[role=alert]"));
        Assert.Equal(["2", "4"], Commits.Select(Json));
    }

    [Theory]
    [InlineData("timeoutSeconds", "Sekunden")]
    [InlineData("holdMinutes", "Minuten")]
    public void Duration_names_its_unit_from_the_input_name(string name, string unit)
    {
        var editor = Editor<DurationEditor>(Input(name, UiHints.Duration, 8));

        Assert.Equal(unit, editor.Find(".input-group-text").TextContent);
        Assert.Equal("8", editor.Find("input").GetAttribute("value"));
        editor.Find("input").Change("2,5");
        Assert.Equal(["2.5"], Commits.Select(Json));
    }

    [Theory]
    [InlineData("-5")]
    [InlineData("5s")]
    [InlineData("1:30")]
    public void An_invalid_duration_is_rejected(string text)
    {
        var editor = Editor<DurationEditor>(Input("timeoutSeconds", UiHints.Duration, 8), 10);

        editor.Find("input").Input(text);
        editor.Find("input").Change(text);

        Assert.Empty(Previews);
        Assert.Equal(["10"], Commits.Select(Json));
        Assert.Contains("Bitte eine Zahl eingeben", editor.Find("[role=alert]").TextContent);
    }

    [Fact]
    public void Toggle_shows_the_default_and_commits_a_click()
    {
        var editor = Editor<ToggleEditor>(Input("interruptible", UiHints.Toggle, true));
        var box = editor.Find("input[type=checkbox]");
        Assert.True(box.HasAttribute("checked"));
        Assert.Equal("switch", box.GetAttribute("role"));

        box.Change(false);
        Assert.Equal(["false"], Commits.Select(Json));
    }

    [Fact]
    public void Choice_offers_the_options_with_german_labels_and_keeps_a_stored_value_no_longer_offered()
    {
        var input = Input("expectation", UiHints.Choice, "intent", options: ["intent", "yesno", "text"]);
        var editor = Editor<ChoiceEditor>(input, "legacy");

        var options = editor.FindAll("option");
        Assert.Equal(["Anliegen", "Ja/Nein", "Freier Text", "legacy"], options.Select(o => o.TextContent));
        Assert.True(options[3].HasAttribute("selected"));

        editor.Find("select").Change("yesno");
        Assert.Equal(["\"yesno\""], Commits.Select(Json));
    }

    [Fact]
    public void Voice_picker_offers_the_tenants_voices_and_the_default()
    {
        var editor = Editor<VoicePickerEditor>(Input("voice", UiHints.VoicePicker), "alloy");

        Assert.Equal(["— Standard —", "Thorsten (offline)", "Alloy"], editor.FindAll("option").Select(o => o.TextContent));
        Assert.True(editor.Find("option[value=alloy]").HasAttribute("selected"));

        editor.Find("select").Change("");
        editor.Find("select").Change("de-thorsten");
        Assert.Equal([null, "\"de-thorsten\""], Commits.Select(Json));
    }

    [Fact]
    public void Calendar_and_transfer_pickers_offer_the_tenants_calendars_and_allow_list()
    {
        var calendar = Editor<CalendarPickerEditor>(Input("calendar", UiHints.CalendarPicker));
        var transfer = Editor<TransferTargetEditor>(Input("target", CallUiHints.TransferTarget), "+49301111");

        Assert.Equal(["", "sandbox"], calendar.FindAll("option").Select(o => o.GetAttribute("value")));
        // A stored number no longer on the allow-list stays visible, so the flow does not change by opening it.
        Assert.Equal(["", "+4930123456", "+49301111"], transfer.FindAll("option").Select(o => o.GetAttribute("value")));
        Assert.True(transfer.Find("option[value='+49301111']").HasAttribute("selected"));
    }

    [Fact]
    public void Business_hours_commit_the_week_and_reject_malformed_hours()
    {
        var stored = JsonNode.Parse("""{"mon":["09:00-12:00","13:00-17:00"],"tue":[],"wed":[],"thu":[],"fri":["09:00-13:00"],"sat":[],"sun":[]}""");
        var editor = Editor<BusinessHoursEditor>(Input("hours", UiHints.BusinessHours), stored);

        Assert.Equal("09:00-12:00, 13:00-17:00", editor.Find("#va-in-hours").GetAttribute("value"));
        Assert.Equal("Montag", editor.Find("label[for='va-in-hours']").TextContent);
        Assert.Equal("va-in-hours-label", editor.Find("[role=group]").GetAttribute("aria-labelledby"));

        editor.Find("#va-in-hours-tue").Change("08:30 - 12:00 ,14:00-18:00");
        Assert.Equal(
            """{"mon":["09:00-12:00","13:00-17:00"],"tue":["08:30-12:00","14:00-18:00"],"wed":[],"thu":[],"fri":["09:00-13:00"],"sat":[],"sun":[]}""",
            Json(Commits.Single()));

        editor.Find("#va-in-hours-wed").Change("9-17");
        editor.Find("#va-in-hours-thu").Change("17:00-09:00");
        Assert.Single(Commits);
        Assert.Equal("Format: 09:00-17:00, mehrere durch Komma getrennt.", editor.Find("[role=alert]").TextContent);
        Assert.Equal("true", editor.Find("#va-in-hours-wed").GetAttribute("aria-invalid"));
        Assert.Equal("true", editor.Find("#va-in-hours-thu").GetAttribute("aria-invalid"));
        Assert.Equal("false", editor.Find("#va-in-hours-tue").GetAttribute("aria-invalid"));
    }

    [Fact]
    public void Intent_list_checks_the_known_intents_and_adds_own_ones()
    {
        var editor = Editor<IntentListEditor>(Input("intents", UiHints.IntentList, new JsonArray("book_appointment", "human")), new JsonArray("book_appointment", "rueckruf"));

        Assert.Equal(["book_appointment", "human", "rueckruf"], editor.FindAll("input[type=checkbox]").Select(c => c.GetAttribute("data-intent")));
        Assert.Equal([true, false, true], editor.FindAll("input[type=checkbox]").Select(c => c.HasAttribute("checked")));
        Assert.Equal("va-in-intents", editor.FindAll("input[type=checkbox]")[0].Id);
        Assert.StartsWith("Termin buchen", editor.Find("label[for='va-in-intents']").TextContent);

        // Unticking an intent commits the shorter list (the canvas drops that outcome's connection).
        editor.Find("input[data-intent=book_appointment]").Change(false);
        editor.Find("#va-in-intents-custom").Input("preise");
        editor.Find("#va-in-intents-custom").KeyDown(new KeyboardEventArgs { Key = "Enter" });

        Assert.Equal(["""["rueckruf"]""", """["rueckruf","preise"]"""], Commits.Select(Json));
        Assert.Equal(4, editor.FindAll("input[type=checkbox]").Count);
        Assert.Equal("", editor.Find("#va-in-intents-custom").GetAttribute("value"));
    }

    [Fact]
    public void An_own_intent_that_cannot_be_an_outcome_name_is_rejected()
    {
        var editor = Editor<IntentListEditor>(Input("intents", UiHints.IntentList), new JsonArray("human"));

        editor.Find("#va-in-intents-custom").Input("Rück Ruf");
        editor.Find("button").Click();

        Assert.Empty(Commits);
        Assert.Equal("Kleinbuchstaben, Ziffern und _; beginnt mit einem Buchstaben.", editor.Find("[role=alert]").TextContent);
    }

    [Fact]
    public void Variable_name_offers_assignable_variables_and_rejects_bad_names()
    {
        var editor = Editor<VariableNameEditor>(Input("name", UiHints.VariableName, required: true), "kunde");

        Assert.Equal(["answer", "intent", "kunde"], editor.FindAll("datalist option").Select(o => o.GetAttribute("value")));
        Assert.Equal("va-in-name-variables", editor.Find("input").GetAttribute("list"));

        editor.Find("input").Input("1kunde");
        editor.Find("input").Change("1kunde");
        Assert.Empty(Previews);
        Assert.Equal(["\"kunde\""], Commits.Select(Json));
        Assert.Equal("Buchstaben, Ziffern und _; beginnt mit einem Buchstaben.", editor.Find("[role=alert]").TextContent);

        editor.Find("input").Change(" kunden_nummer ");
        Assert.Equal(["\"kunde\"", "\"kunden_nummer\""], Commits.Select(Json));
        Assert.Empty(editor.FindAll("[role=alert]"));
    }

    [Fact]
    public void Url_is_trimmed()
    {
        var editor = Editor<UrlEditor>(Input("url", UiHints.Url));

        editor.Find("input[type=url]").Change("  https://example.org/hook ");
        Assert.Equal(["\"https://example.org/hook\""], Commits.Select(Json));
    }

    [Fact]
    public void Text_template_offers_variables_after_double_braces_and_inserts_the_chosen_one()
    {
        var editor = Editor<TextTemplateEditor>(Input("text", UiHints.Template, required: true));
        var field = editor.Find("input#va-in-text");
        Assert.Equal("combobox", field.GetAttribute("role"));
        Assert.Equal("false", field.GetAttribute("aria-expanded"));

        editor.Find("input").Input("Frei wäre {{ sl");

        Assert.Equal(["slot.text", "slots.count"], editor.FindAll("[role=option]").Select(o => o.GetAttribute("data-value")));
        Assert.Equal("true", editor.Find("input").GetAttribute("aria-expanded"));
        Assert.Equal("va-in-text-completions-0", editor.Find("input").GetAttribute("aria-activedescendant"));

        editor.Find("[role=option][data-value='slot.text']").MouseDown();

        Assert.Equal(["\"Frei wäre {{ slot.text }}\""], Commits.Select(Json));
        Assert.Equal("Frei wäre {{ slot.text }}", editor.Find("input").GetAttribute("value"));
        Assert.Empty(editor.FindAll("[role=option]"));
    }

    [Fact]
    public void Completion_is_driven_by_the_keyboard()
    {
        var editor = Editor<TextTemplateEditor>(Input("text", UiHints.Template));

        editor.Find("input").Input("Hallo {{ ");
        Assert.Equal(5, editor.FindAll("[role=option]").Count);
        editor.Find("input").KeyDown(new KeyboardEventArgs { Key = "ArrowDown" });
        editor.Find("input").KeyDown(new KeyboardEventArgs { Key = "ArrowDown" });
        Assert.Equal("true", editor.Find("#va-in-text-completions-2").GetAttribute("aria-selected"));
        editor.Find("input").KeyDown(new KeyboardEventArgs { Key = "Enter" });
        Assert.Equal(["\"Hallo {{ answer }}\""], Commits.Select(Json));

        editor.Find("input").Input("Hallo {{ answer }} {{ k");
        editor.Find("input").KeyDown(new KeyboardEventArgs { Key = "Escape" });
        Assert.Empty(editor.FindAll("[role=option]"));
    }

    [Fact]
    public void Expression_completes_the_word_being_typed_but_not_inside_a_string()
    {
        var editor = Editor<ExpressionEditor>(Input("condition", UiHints.Expression));

        editor.Find("input").Input("intent == \"book\" && ans");
        Assert.Equal(["answer"], editor.FindAll("[role=option]").Select(o => o.GetAttribute("data-value")));
        editor.Find("[role=option]").MouseDown();
        Assert.Equal(["\"intent == \\\"book\\\" && answer\""], Commits.Select(Json));

        editor.Find("input").Input("intent == \"ans");
        Assert.Empty(editor.FindAll("[role=option]"));
    }

    [Fact]
    public void Multi_line_is_a_textarea_with_the_same_completion()
    {
        var editor = Editor<MultiLineEditor>(Input("systemPrompt", UiHints.MultiLine, "Du bist freundlich."));

        Assert.Equal("Du bist freundlich.", editor.Find("textarea#va-in-systemPrompt").GetAttribute("placeholder"));
        editor.Find("textarea").Input("Der Anrufer heißt {{ ku");
        Assert.Equal(["kunde"], editor.FindAll("[role=option]").Select(o => o.GetAttribute("data-value")));
        editor.Find("textarea").Change("Der Anrufer heißt {{ kunde }}.");
        Assert.Equal(["\"Der Anrufer heißt {{ kunde }}.\""], Commits.Select(Json));
    }

    [Fact]
    public void A_new_value_from_outside_replaces_the_text_but_the_own_preview_does_not()
    {
        var input = Input("goodbye", UiHints.SingleLine);
        var editor = Editor<SingleLineEditor>(input, "A");

        editor.Find("input").Input("AB ");
        editor.Render(p => p.Add(x => x.Value, JsonValue.Create("AB ")));
        Assert.Equal("AB ", editor.Find("input").GetAttribute("value"));

        editor.Render(p => p.Add(x => x.Value, JsonValue.Create("C")));
        Assert.Equal("C", editor.Find("input").GetAttribute("value"));
    }
}
