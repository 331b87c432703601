using System.Text.RegularExpressions;

namespace VoiceAgent.E2E;

public sealed class DesignerBuildFlowTests : DesignerTest
{
    [Fact]
    public async Task Admin_builds_a_booking_flow_from_an_empty_canvas_publishes_it_and_books_an_appointment_in_the_test_console()
    {
        await SetUpTenantAsync();
        var flowId = await CreateFlowAsync("Online-Buchung", new { nodes = Array.Empty<object>(), connections = Array.Empty<object>() });
        var page = await SignedInPageAsync();
        await OpenDesignerAsync(page, flowId);
        await Expect(Canvas(page).Locator("g[data-shape='va-activity']")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("toolbar-problems")).ToHaveTextAsync(new Regex(@"^\d+ Fehler$"));

        // --- Drag the activities onto the canvas (drop point = node centre, relative to the canvas) ---
        var start = await DragActivityAsync(page, "Start", 130, 50);
        var greeting = await DragActivityAsync(page, "Speak", 130, 150);

        // A Speak without text: validation marks it red on the canvas and names the problem in the panel.
        await Expect(Node(page, greeting).Locator("[data-invalid='true']")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("node-errors")).ToContainTextAsync("Pflichtfeld „Text“ fehlt.");
        await Expect(Node(page, greeting).Locator("rect[data-invalid='true'] > title")).ToContainTextAsync("Pflichtfeld „Text“ fehlt.");
        await ScreenshotAsync(page, "designer-build-validation-error");

        await FillFieldAsync(page, "text", "Guten Tag, hier ist die Online-Terminbuchung von {{ tenant.name }}.");
        await Expect(page.GetByTestId("node-errors")).Not.ToContainTextAsync("Pflichtfeld");

        var find = await DragActivityAsync(page, "FindSlots", 130, 265);
        var offer = await DragActivityAsync(page, "Speak", 130, 385);
        // Variable completion: typing "{{ sl" offers slot.text.
        var offerText = page.GetByTestId("field-text").Locator("input");
        await offerText.FillAsync("Frei wäre {{ sl");
        await Expect(page.GetByTestId("field-text").Locator("[role=option][data-value='slot.text']")).ToBeVisibleAsync();
        await offerText.FillAsync("Frei wäre {{ slot.text }}. Passt Ihnen das?");
        await offerText.BlurAsync();

        var confirm = await DragActivityAsync(page, "Listen", 130, 500);
        await ChooseAsync(page, "expectation", "yesno");
        var decision = await DragActivityAsync(page, "Decision", 420, 70);
        await FillFieldAsync(page, "condition", "answer");
        var book = await DragActivityAsync(page, "CreateEvent", 420, 220);
        var booked = await DragActivityAsync(page, "Speak", 420, 360);
        await FillFieldAsync(page, "text", "Ihr Termin am {{ event.text }} ist eingetragen. Auf Wiederhören!");
        var bye = await DragActivityAsync(page, "Hangup", 710, 220);
        await FillFieldAsync(page, "goodbye", "Auf Wiederhören!");
        Assert.Equal(["start1", "speak1", "findSlots1", "speak2", "listen1", "decision1", "createEvent1", "speak3", "hangup1"],
            [start, greeting, find, offer, confirm, decision, book, booked, bye]);

        // --- Connect the outcomes by dragging from each port to the next activity ---
        await ConnectAsync(page, start, "Done", greeting);
        await ConnectAsync(page, greeting, "Done", find);
        await ConnectAsync(page, find, "Found", offer);
        await ConnectAsync(page, find, "NotFound", bye);
        await ConnectAsync(page, offer, "Done", confirm);
        await ConnectAsync(page, confirm, "Recognized", decision);
        await ConnectAsync(page, confirm, "NoInput", bye);
        await ConnectAsync(page, confirm, "NoMatch", bye);
        await ConnectAsync(page, decision, "True", book);
        await ConnectAsync(page, decision, "False", bye);
        await ConnectAsync(page, book, "Created", booked);
        await ConnectAsync(page, book, "Conflict", bye);

        // One outcome still open: the flow is invalid, publishing is blocked.
        await Expect(page.GetByTestId("toolbar-problems")).ToHaveTextAsync("1 Fehler");
        await page.GetByTestId("toolbar-problems").ClickAsync();
        await Expect(page.GetByTestId("flow-problems")).ToContainTextAsync("speak3: Der Ausgang „Done“ ist nicht verbunden.");
        await WaitSavedAsync(page);
        await page.GetByTestId("tab-versions").ClickAsync();
        await Expect(page.GetByTestId("publish-1")).ToBeDisabledAsync();
        await Expect(page.GetByTestId("publish-blocked")).ToHaveTextAsync("Veröffentlichen ist gesperrt, solange der Ablauf Fehler hat.");

        await ConnectAsync(page, booked, "Done", bye);
        await Expect(page.GetByTestId("toolbar-problems")).ToHaveTextAsync("Keine Fehler");
        await Expect(Canvas(page).Locator("[data-invalid='true']")).ToHaveCountAsync(0);
        await WaitSavedAsync(page);
        await ScreenshotAsync(page, "designer-build-complete");

        // The saved draft is the flow that was drawn.
        var saved = await DefinitionAsync(flowId, 1);
        Assert.Equal(9, saved["nodes"]!.AsArray().Count);
        Assert.Equal(13, saved["connections"]!.AsArray().Count);
        Assert.Equal("Frei wäre {{ slot.text }}. Passt Ihnen das?", (string?)saved["nodes"]![3]!["inputs"]!["text"]);

        // --- Publish with the confirm step ---
        await Expect(page.GetByTestId("publish-1")).ToBeEnabledAsync();
        await page.GetByTestId("publish-1").ClickAsync();
        await page.GetByTestId("confirm-publish-1").ClickAsync();
        await Expect(page.GetByTestId("designer-message")).ToHaveTextAsync("Version 1 ist jetzt live.");
        await Expect(page.GetByTestId("status-1")).ToHaveTextAsync("Live");
        await Expect(page.GetByTestId("version-label")).ToHaveTextAsync("Version 1 · Live");
        Assert.Equal("live", await StatusOfAsync(flowId, 1));

        // --- Test console: the flow books an appointment ---
        await page.GetByTestId("tab-console").ClickAsync();
        await page.GetByTestId("console-start").ClickAsync();
        var transcript = page.GetByTestId("console-transcript");
        await Expect(transcript).ToContainTextAsync("Guten Tag, hier ist die Online-Terminbuchung von Praxis Dr. Designer.");
        await Expect(transcript).ToContainTextAsync("Passt Ihnen das?");
        await Expect(page.GetByTestId("console-status")).ToHaveAttributeAsync("data-state", "waiting");
        await Expect(Node(page, confirm).Locator("rect[data-current='true']")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("console-trace")).ToContainTextAsync("findSlots1");
        await ScreenshotAsync(page, "designer-console-offer");

        await page.GetByTestId("console-input").FillAsync("Ja, gerne");
        await page.GetByTestId("console-send").ClickAsync();
        await Expect(transcript).ToContainTextAsync("ist eingetragen. Auf Wiederhören!");
        await Expect(page.GetByTestId("console-status")).ToHaveAttributeAsync("data-state", "ended");
        await Expect(page.GetByTestId("console-variables")).ToContainTextAsync("\"event\"");
        await ScreenshotAsync(page, "designer-console-booked");

        // --- The calendar shows the appointment ---
        await page.GotoAsync("/app/calendar");
        var rows = page.GetByTestId("calendar-table").Locator("tr[data-event-id]");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.First).ToContainTextAsync("Termin");
        await ScreenshotAsync(page, "designer-calendar-booked");

        AssertNoBrowserProblems();
    }
}
