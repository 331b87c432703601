using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Components;

namespace VoiceAgent.Designer.Properties;

/// <summary>
/// A text-like control: every keystroke previews what it parses to, leaving the field (change) commits one undo step.
/// Text that does not parse shows an error next to the field and changes nothing: no preview, and on change the stored
/// value is committed back (which undoes any earlier preview and makes no undo step).
/// </summary>
public abstract class TextEditorBase : PropertyEditorBase
{
    private JsonNode? _stored;

    /// <summary>What the control shows.</summary>
    protected string Text { get; set; } = "";

    /// <summary>Why the text is not accepted (shown with role=alert), or null.</summary>
    protected string? Error { get; private set; }

    protected string ErrorId => FieldId + "-error";

    /// <summary>aria-describedby: the field's description, and the error while there is one.</summary>
    protected string DescribedBy => Error is null ? DescribedById : $"{DescribedById} {ErrorId}";

    protected string? AriaInvalid => Error is null ? null : "true";

    /// <summary>The text the control starts with (the stored value; editors for numbers show the default too).</summary>
    protected virtual string Initial() => EditorValues.Display(Value, Language);

    protected virtual string Placeholder => EditorValues.Display(Input.Default, Language);

    /// <summary>The stored value for a text, or false with the error to show.</summary>
    protected virtual bool TryParse(string text, out JsonNode? value, out string? error)
    {
        value = EditorValues.Text(text);
        error = null;
        return true;
    }

    protected override void Load()
    {
        _stored = Value?.DeepClone();
        Text = Initial();
        Error = null;
    }

    protected async Task OnInputAsync(ChangeEventArgs e)
    {
        Text = e.Value?.ToString() ?? "";
        if (TryParse(Text, out var value, out var error))
        {
            Error = null;
            await PreviewAsync(value);
        }
        else
        {
            Error = error;
        }

        await AfterInputAsync();
    }

    /// <summary>Hook for editors that react to typing beyond the preview (completion).</summary>
    protected virtual Task AfterInputAsync() => Task.CompletedTask;

    protected async Task OnChangeAsync(ChangeEventArgs e)
    {
        Text = e.Value?.ToString() ?? "";
        await CommitTextAsync();
    }

    protected async Task CommitTextAsync()
    {
        if (TryParse(Text, out var value, out var error))
        {
            Error = null;
            _stored = value?.DeepClone();
            await CommitAsync(value);
        }
        else
        {
            Error = error;
            await CommitAsync(_stored?.DeepClone());
        }
    }
}
