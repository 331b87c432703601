namespace VoiceAgent.Designer.Properties.Editors;

/// <summary>The classes of the editors' plain controls (one control per input, so no MudBlazor component each: the
/// designer's stylesheet styles these the way the panel always looked).</summary>
internal static class EditorCss
{
    public const string Input = "form-control form-control-sm va-control";
    public const string Select = "form-select form-select-sm va-control";
    public const string Error = "invalid-feedback d-block va-invalid mud-error-text";
}
