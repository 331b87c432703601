using System.Globalization;
using System.Xml.Linq;
using VoiceAgent.Calendars;

namespace VoiceAgent.Platform.Tests.Calendars;

public sealed class ConnectorTextsTests
{
    [Fact]
    public void Every_connector_text_exists_in_german_and_english_and_is_found_at_run_time()
    {
        var de = Keys("ConnectorTexts.resx");
        var en = Keys("ConnectorTexts.en.resx");

        Assert.Equal(de, en);
        Assert.All(CalendarProviders.All.Concat(CalendarProviders.ComingSoon), p => Assert.Contains("Provider." + p, de));
        var previous = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("en");
            Assert.Equal("Connected", ConnectorTexts.Get("Status.connected"));
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }

        Assert.Equal("Demnächst verfügbar", ConnectorTexts.German("Status.coming_soon"));
    }

    private static string[] Keys(string file)
    {
        var dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "VoiceAgent.sln")))
        {
            dir = Path.GetDirectoryName(dir)!;
        }

        var doc = XDocument.Load(Path.Combine(dir, "src/VoiceAgent.Calendars/Connectors", file));
        return doc.Root!.Elements("data").Select(e => (string)e.Attribute("name")!).Order().ToArray();
    }
}
