using System.Globalization;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using NodaTime;
using VoiceAgent.Calendars;
using VoiceAgent.Calendars.Pages;
using VoiceAgent.Platform;

namespace VoiceAgent.Web.Tests;

/// <summary>The Termine page's week and month grids: appointments land on their day and wall-clock hour, DST days included.</summary>
public sealed class CalendarWeekGridTests : BunitContext
{
    public CalendarWeekGridTests()
    {
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("de-DE");
        Services.AddLocalization();
        Services.AddMudServices();
        JSInterop.Mode = JSRuntimeMode.Loose;
    }

    [Fact]
    public void An_appointment_sits_on_its_day_and_hour_and_is_a_labelled_button()
    {
        var monday = new DateOnly(2026, 11, 23);
        var item = At(new LocalDateTime(2026, 11, 24, 10, 30), 30, "Beratung Müller");
        Appointment? opened = null;

        var grid = Render<WeekGrid>(p => p
            .Add(g => g.Days, Week(monday))
            .Add(g => g.Zone, BusinessTime.Zone)
            .Add(g => g.Items, [item])
            .Add(g => g.OnOpen, a => opened = a));

        var button = grid.Find("button[data-testid='calendar-event']");
        Assert.Equal("2026-11-24", button.GetAttribute("data-day"));
        Assert.Equal("10", button.GetAttribute("data-hour"));
        Assert.Equal("30", button.GetAttribute("data-minute"));
        Assert.Single(grid.FindAll(".va-week-day[data-day='2026-11-24'] button[data-testid='calendar-event']"));
        // 7:00 is the first row: 3.5 hours further down, half an hour high.
        Assert.Contains($"top: {3.5 * WeekGrid.HourHeight}px", button.GetAttribute("style"));
        Assert.Contains($"height: {WeekGrid.HourHeight / 2}px", button.GetAttribute("style"));
        Assert.Equal("10:30 Beratung Müller, Dienstag, 24. November 2026, 10:30 bis 11:00", button.GetAttribute("aria-label"));
        Assert.Empty(grid.FindAll("[data-testid='dst-note']"));

        button.Click();
        Assert.Same(item, opened);
    }

    [Fact]
    public void The_spring_day_has_23_hours_and_the_autumn_day_25_and_appointments_across_the_change_render()
    {
        var spring = At(new LocalDateTime(2027, 3, 28, 1, 30), 120, "Über die Lücke");
        var autumnFirst = At(new LocalDateTime(2027, 10, 31, 2, 30), 30, "Erstes 2:30");
        var autumnSecond = new Appointment("second", autumnFirst.Start.AddHours(1), autumnFirst.End.AddHours(1), "Zweites 2:30", null, null, false);

        var springWeek = Render<WeekGrid>(p => p.Add(g => g.Days, Week(new DateOnly(2027, 3, 22))).Add(g => g.Zone, BusinessTime.Zone).Add(g => g.Items, [spring]));
        var autumnWeek = Render<WeekGrid>(p => p.Add(g => g.Days, Week(new DateOnly(2027, 10, 25))).Add(g => g.Zone, BusinessTime.Zone)
            .Add(g => g.Items, [autumnFirst, autumnSecond]));

        Assert.Equal("23", springWeek.Find(".va-week-dayhead[data-day='2027-03-28']").GetAttribute("data-hours"));
        Assert.Equal("24", springWeek.Find(".va-week-dayhead[data-day='2027-03-27']").GetAttribute("data-hours"));
        Assert.Equal("25", autumnWeek.Find(".va-week-dayhead[data-day='2027-10-31']").GetAttribute("data-hours"));
        Assert.Contains("23 Stunden", springWeek.Find("[data-testid='dst-note']").TextContent);
        var gap = springWeek.Find("button[data-testid='calendar-event']");
        Assert.Equal("1", gap.GetAttribute("data-hour"));
        // Two real hours are drawn as two hours (01:30–04:30 on the wall clock).
        Assert.Contains($"height: {2 * WeekGrid.HourHeight}px", gap.GetAttribute("style"));
        var twice = autumnWeek.FindAll("button[data-testid='calendar-event']");
        Assert.Equal(2, twice.Count);
        Assert.All(twice, b => Assert.Equal("2", b.GetAttribute("data-hour")));
    }

    [Fact]
    public void The_month_shows_six_weeks_from_monday_with_the_appointments_as_chips_on_their_day()
    {
        var item = At(new LocalDateTime(2026, 12, 24, 9, 0), 30, "Heiligabend");

        var month = Render<MonthGrid>(p => p.Add(g => g.Month, new DateOnly(2026, 12, 15)).Add(g => g.Zone, BusinessTime.Zone).Add(g => g.Items, [item]));

        var cells = month.FindAll("td[data-day]");
        Assert.Equal(42, cells.Count);
        Assert.Equal("2026-11-30", cells[0].GetAttribute("data-day"));
        Assert.Equal(7, month.FindAll("th[scope='col']").Count);
        var chip = month.Find("td[data-day='2026-12-24'] button[data-testid='calendar-event']");
        Assert.Contains("09:00 Heiligabend", chip.TextContent);
    }

    private static IReadOnlyList<DateOnly> Week(DateOnly monday) => Enumerable.Range(0, 7).Select(monday.AddDays).ToList();

    private static Appointment At(LocalDateTime local, int minutes, string title)
    {
        var start = local.InZoneLeniently(BusinessTime.Zone);
        return new Appointment(Guid.NewGuid().ToString(), start.ToDateTimeOffset(), (start.ToInstant() + Duration.FromMinutes(minutes)).ToDateTimeOffset(),
            title, null, null, false);
    }
}
