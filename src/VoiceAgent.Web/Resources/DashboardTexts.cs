namespace VoiceAgent.Web.Resources;

/// <summary>Names the resource set of both dashboards for <c>IStringLocalizer&lt;DashboardTexts&gt;</c>.</summary>
public sealed class DashboardTexts
{
    private DashboardTexts()
    {
    }
}
