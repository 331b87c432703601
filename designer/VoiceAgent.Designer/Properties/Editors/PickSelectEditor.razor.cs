using VoiceAgent.CallFlows;

namespace VoiceAgent.Designer.Properties.Editors;

public abstract partial class PickSelectEditor
{
    /// <summary>What the tenant can choose from.</summary>
    protected abstract IReadOnlyList<DesignerOption> Choices();
}

public sealed class VoicePickerEditor : PickSelectEditor
{
    protected override IReadOnlyList<DesignerOption> Choices() => Options.Voices;
}

public sealed class CalendarPickerEditor : PickSelectEditor
{
    protected override IReadOnlyList<DesignerOption> Choices() => Options.Calendars;
}

/// <summary>Only numbers on the tenant's transfer allow-list are offered.</summary>
public sealed class TransferTargetEditor : PickSelectEditor
{
    protected override IReadOnlyList<DesignerOption> Choices() => Options.TransferTargets;
}
