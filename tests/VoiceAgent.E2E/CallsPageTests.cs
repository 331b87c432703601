using Microsoft.Playwright;
using VoiceAgent.Testing;
using VoiceAgent.Web.Tests;

namespace VoiceAgent.E2E;

/// <summary>Anrufe: the grid filtered through the URL, the detail with transcript, latencies, flow path and booking; tenants apart.</summary>
public sealed class CallsPageTests : PortalTest
{
    private const string Email = "chef@praxis-alpha.de";

    [Fact]
    public async Task Calls_filter_by_outcome_from_the_url_open_a_detail_and_never_show_another_tenants_calls()
    {
        var (alpha, _) = await Factory.ApprovedTenantAsync(Email, "Praxis Alpha");
        var (beta, _) = await Factory.ApprovedTenantAsync("chef@salon-beta.de", "Salon Beta");
        await Factory.SeedSampleFlowAsync(alpha);
        await Factory.SeedSampleFlowAsync(beta);
        var seed = new CallsSeed(Database.OwnerConnectionString);
        var start = new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
        await seed.CallAsync(alpha, "+49301111111", "handoff", start);
        var conversation = CallsSeed.BookingConversation(start.AddDays(1));
        var booked = await seed.CallAsync(alpha, "+49301111111", "booked", start.AddDays(1), [850, 1250, 640], conversation);
        await seed.BookingAsync(alpha, conversation.Id, "Termin Frau Berger", start.AddDays(3));
        var foreign = await seed.CallAsync(beta, "+49402222222", "handoff", start.AddDays(2));

        var page = await NewPageAsync(1366, 860);
        await LoginAsync(page, Email, TestData.Password, "/app");

        // A dashboard tile's link: only the handoff.
        await page.GotoAsync("/app/calls?outcome=handoff");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Anrufe");
        var outcomes = page.GetByTestId("calls-table").GetByTestId("call-outcome");
        await Expect(outcomes).ToHaveTextAsync(["handoff"]);
        await Expect(outcomes).ToHaveAttributeAsync("data-outcome", "handoff");
        await Expect(page.GetByTestId("calls-table")).Not.ToContainTextAsync("40 2222222");

        // Resetting the filters lists both of the tenant's calls and takes the filter out of the address, in place.
        await page.GetByTestId("calls-filter-reset").ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/app/calls$"));
        // The outcome is named by the activity it ended at in the version the call ran (a call without session: the node id).
        await Expect(outcomes).ToHaveTextAsync(["Sprechen · booked", "handoff"]);
        await Expect(page.GetByTestId("calls-table")).Not.ToContainTextAsync("40 2222222");

        // A period from the URL: 2 December (Berlin) only.
        await page.GotoAsync("/app/calls?from=2026-12-02&to=2026-12-02");
        await Expect(outcomes).ToHaveTextAsync(["Sprechen · booked"]);
        await ScreenshotAsync(page, "calls");

        await page.GetByTestId("call-link").ClickAsync();
        await page.WaitForURLAsync($"**/app/calls/{booked}");
        var transcript = page.GetByTestId("transcript");
        await Expect(transcript).ToContainTextAsync("Ich möchte einen Termin");
        await Expect(transcript).ToContainTextAsync("Ihr Termin ist eingetragen.");
        await Expect(page.GetByTestId("turn-latency")).ToHaveTextAsync(["850 ms", "1250 ms", "640 ms"]);
        await Expect(page.GetByTestId("latency-summary")).ToHaveTextAsync("Mittel 913 ms · p95 1250 ms");
        await Expect(page.GetByTestId("call-path").Locator("li")).ToHaveCountAsync(5);
        await Expect(page.GetByTestId("call-path")).ToContainTextAsync("offer (Speak)");
        await Expect(page.GetByTestId("call-booking")).ToContainTextAsync("Termin Frau Berger");
        await ScreenshotAsync(page, "call-detail");

        // "Im Ablauf ansehen": the version that ran; this call was stored before runs were traced, so no steps.
        await page.GetByTestId("call-replay").ClickAsync();
        await page.WaitForURLAsync($"**/app/calls/{booked}/replay");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Anruf im Ablauf");
        await Expect(page.GetByTestId("replay-untraced")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("replay-canvas").Locator("g[data-cell-id='start']")).ToBeAttachedAsync();
        await page.GotoAsync($"/app/calls/{foreign}/replay");
        await Expect(page.GetByTestId("replay-not-found")).ToBeVisibleAsync();

        // The other tenant's call id: row-level security makes it invisible.
        await page.GotoAsync($"/app/calls/{foreign}");
        await Expect(page.GetByTestId("call-not-found")).ToBeVisibleAsync();
        await Expect(page.Locator("body")).Not.ToContainTextAsync("40 2222222");

        // On a phone the grid scrolls sideways instead of breaking the layout.
        var phone = await NewPageAsync(390, 844, mobile: true);
        await LoginAsync(phone, Email, TestData.Password, "/app");
        await phone.GotoAsync("/app/calls");
        await Expect(phone.GetByTestId("calls-table").GetByTestId("call-outcome")).ToHaveCountAsync(2);
        var overflow = await phone.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1");
        Assert.False(overflow, "The calls page is wider than the phone.");

        AssertNoBrowserProblems();
    }

    [Fact]
    public async Task Calls_page_through_25_at_a_time_and_sort_by_time()
    {
        var (tenant, _) = await Factory.ApprovedTenantAsync(Email, "Praxis Alpha");
        await Factory.SeedSampleFlowAsync(tenant);
        var seed = new CallsSeed(Database.OwnerConnectionString);
        var start = new DateTimeOffset(2026, 11, 2, 8, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 30; i++)
        {
            await seed.CallAsync(tenant, "+4930" + (1000000 + i), "handoff", start.AddHours(i));
        }

        var page = await NewPageAsync(1366, 860);
        await LoginAsync(page, Email, TestData.Password, "/app");
        await page.GotoAsync("/app/calls");
        var links = page.GetByTestId("calls-table").GetByTestId("call-link");
        var info = page.GetByTestId("pager-info");

        // Newest first, 25 to a page.
        await Expect(links).ToHaveCountAsync(25);
        await Expect(info).ToHaveTextAsync("1–25 von 30");
        await Expect(page.GetByTestId("calls-table").Locator("tbody tr").First).ToContainTextAsync("1000029");
        await Expect(page.GetByTestId("pager-previous")).ToBeDisabledAsync();

        await page.GetByTestId("pager-next").ClickAsync();
        await Expect(links).ToHaveCountAsync(5);
        await Expect(info).ToHaveTextAsync("26–30 von 30");
        await Expect(page.GetByTestId("pager-next")).ToBeDisabledAsync();
        await Expect(page.GetByTestId("pager-last")).ToBeDisabledAsync();

        // Sorting starts again at the first page, oldest first; the header says which way it sorts.
        await page.GetByTestId("calls-sort").ClickAsync();
        await Expect(info).ToHaveTextAsync("1–25 von 30");
        await Expect(page.GetByTestId("calls-table").Locator("th[aria-sort]")).ToHaveAttributeAsync("aria-sort", "ascending");
        await Expect(page.GetByTestId("calls-table").Locator("tbody tr").First).ToContainTextAsync("1000000");

        // Ten to a page: three pages; the last one is reached in one step.
        await page.GetByTestId("pager-size").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").GetByText("10", new() { Exact = true }).ClickAsync();
        await Expect(links).ToHaveCountAsync(10);
        await page.GetByTestId("pager-last").ClickAsync();
        await Expect(info).ToHaveTextAsync("21–30 von 30");
        await Expect(page.GetByTestId("calls-table").Locator("tbody tr").Last).ToContainTextAsync("1000029");

        AssertNoBrowserProblems();
    }
}
