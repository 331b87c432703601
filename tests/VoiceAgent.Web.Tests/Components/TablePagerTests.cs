using Bunit;
using VoiceAgent.Platform.Portal;

namespace VoiceAgent.Web.Tests.Components;

/// <summary>The plain tables' pager: the range it names, which steps it offers, and the page it asks for.</summary>
public sealed class TablePagerTests : MudComponentTest
{
    [Theory]
    [InlineData(0, 25, 30, "1–25 von 30", false, true)]
    [InlineData(1, 25, 30, "26–30 von 30", true, false)]
    [InlineData(0, 25, 0, "0–0 von 0", false, false)]
    [InlineData(2, 10, 30, "21–30 von 30", true, false)]
    public void Names_the_rows_shown_and_offers_only_steps_that_lead_somewhere(int page, int size, int total, string info, bool back, bool forward)
    {
        var pager = Render(page, size, total, _ => { });

        Assert.Equal(info, pager.Find("[data-testid='pager-info']").TextContent);
        Assert.Equal(!back, pager.Find("[data-testid='pager-first']").HasAttribute("disabled"));
        Assert.Equal(!back, pager.Find("[data-testid='pager-previous']").HasAttribute("disabled"));
        Assert.Equal(!forward, pager.Find("[data-testid='pager-next']").HasAttribute("disabled"));
        Assert.Equal(!forward, pager.Find("[data-testid='pager-last']").HasAttribute("disabled"));
    }

    [Fact]
    public void Steps_ask_for_the_neighbouring_first_and_last_page()
    {
        var asked = new List<int>();
        var pager = Render(2, 10, 95, asked.Add);

        pager.Find("[data-testid='pager-next']").Click();
        pager.Find("[data-testid='pager-previous']").Click();
        pager.Find("[data-testid='pager-first']").Click();
        pager.Find("[data-testid='pager-last']").Click();

        Assert.Equal([3, 1, 0, 9], asked);
        Assert.Equal("Letzte Seite", pager.Find("[data-testid='pager-last']").GetAttribute("aria-label"));
    }

    private IRenderedComponent<TablePager> Render(int page, int size, int total, Action<int> changed) =>
        Render<TablePager>(p => p
            .Add(x => x.Page, page)
            .Add(x => x.PageSize, size)
            .Add(x => x.Total, total)
            .Add(x => x.RowsPerPageText, "Zeilen pro Seite")
            .Add(x => x.InfoFormat, "{first_item}–{last_item} von {all_items}")
            .Add(x => x.PageChanged, changed)
            .Add(x => x.TestId, "pager"));
}
