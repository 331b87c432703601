using System.Globalization;
using System.Resources;

namespace VoiceAgent.Activities.Resources;

/// <summary>Texts the activities' module says on its own (not typed into a flow), in German with English as second language.</summary>
public static class ActivityTexts
{
    private static readonly ResourceManager Resources = new("VoiceAgent.Activities.Resources.ActivityTexts", typeof(ActivityTexts).Assembly);

    public static string Get(string key) => Resources.GetString(key, CultureInfo.CurrentUICulture) ?? key;
}
