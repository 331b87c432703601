using System.Text.Json.Nodes;
using VoiceAgent.Flows.Expressions;

namespace VoiceAgent.Flows.Tests;

public sealed class ExpressionTests
{
    private static readonly JsonObject Vars = JsonNode.Parse("""
        {
          "intent": "book_appointment",
          "caller": { "number": "+491701234567", "name": "Frau Weber" },
          "slots": [ { "text": "Montag um 9 Uhr", "start": "2026-11-23T09:00:00+01:00" }, { "text": "Dienstag um 10 Uhr" } ],
          "answer": true,
          "count": 3,
          "empty": ""
        }
        """)!.AsObject();

    [Theory]
    [InlineData("intent == \"book_appointment\" and slots.count > 0", true)]
    [InlineData("intent == \"BOOK_APPOINTMENT\"", true)]
    [InlineData("intent != \"book_appointment\" or slots.count == 0", false)]
    [InlineData("not answer", false)]
    [InlineData("!(count < 3)", true)]
    [InlineData("count >= 3 && count <= 3", true)]
    [InlineData("count == \"3\"", true)]
    [InlineData("caller.number contains \"170\"", true)]
    [InlineData("slots[1].text == \"Dienstag um 10 Uhr\"", true)]
    [InlineData("slots[5].text == null", true)]
    [InlineData("missing.deeply.nested == null", true)]
    [InlineData("missing > 3", false)]
    [InlineData("empty", false)]
    [InlineData("caller.name.length > 5", true)]
    [InlineData("slots[0].start < \"2026-11-24\"", true)]
    [InlineData("'single quotes' == \"single quotes\"", true)]
    public void Conditions_evaluate_totally(string source, bool expected) =>
        Assert.Equal(expected, FlowExpression.Parse(source).IsTrue(Vars));

    [Theory]
    [InlineData("intent ==", 9)]
    [InlineData("(intent == \"x\"", 14)]
    [InlineData("intent = \"x\"", 7)]
    [InlineData("\"unterminated", 0)]
    [InlineData("slots[-1]", 6)]
    [InlineData("a and and b", 6)]
    [InlineData("", 0)]
    [InlineData("caller.", 7)]
    [InlineData("System.IO.File.Delete(\"x\")", 21)]
    public void Malformed_expressions_fail_with_a_position(string source, int position)
    {
        var error = Assert.Throws<ExpressionException>(() => FlowExpression.Parse(source));
        Assert.Equal(position, error.Position);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Theory]
    [InlineData("Guten Tag, {{ caller.name }}!", "Guten Tag, Frau Weber!")]
    [InlineData("Hallo {{ unknown | default: \"lieber Anrufer\" }}", "Hallo lieber Anrufer")]
    [InlineData("Termin {{ caller.title | default: caller.name }}", "Termin Frau Weber")]
    [InlineData("Frei: {{ slots }}.", "Frei: Montag um 9 Uhr oder Dienstag um 10 Uhr.")]
    [InlineData("{{ slots[0].start | datetime }}", "Montag, 23. November um 9 Uhr")]
    [InlineData("{{ slots[0].start | date }} / {{ slots[0].start | time }}", "Montag, 23. November / 9 Uhr")]
    [InlineData("{{ answer }} {{ count }} {{ caller.name | upper }}", "ja 3 FRAU WEBER")]
    [InlineData("Ohne Platzhalter", "Ohne Platzhalter")]
    [InlineData("Klammern { einzeln } bleiben", "Klammern { einzeln } bleiben")]
    [InlineData("<Say>{{ caller.name }}</Say>", "<Say>Frau Weber</Say>")]
    public void Templates_render_values_in_spoken_german(string source, string expected) =>
        Assert.Equal(expected, FlowTemplate.Parse(source).Render(Vars));

    [Theory]
    [InlineData("Hallo {{ caller.name", "Platzhalter „{{“ ohne „}}“.")]
    [InlineData("Hallo {{ }}", "Leerer Platzhalter {{ }}.")]
    [InlineData("{{ caller.name | shout }}", "Unbekannter Filter „shout“. Erlaubt: default, upper, lower, date, time, datetime.")]
    [InlineData("{{ name | default: (a or b) }}", "Das Argument eines Filters muss ein fester Wert oder eine Variable sein (z. B. \"Gast\" oder caller.number).")]
    public void Malformed_templates_are_explained(string source, string message)
    {
        System.Globalization.CultureInfo.CurrentUICulture = System.Globalization.CultureInfo.GetCultureInfo("de-DE");
        Assert.Equal(message, Assert.Throws<ExpressionException>(() => FlowTemplate.Parse(source)).Message);
    }

    [Fact]
    public void Values_from_variables_are_never_executed_or_re_parsed()
    {
        var vars = new JsonObject { ["name"] = "{{ caller.number }}" };
        Assert.Equal("Hallo {{ caller.number }}", FlowTemplate.Parse("Hallo {{ name }}").Render(vars));
    }
}
