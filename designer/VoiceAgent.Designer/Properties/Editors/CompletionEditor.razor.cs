using Microsoft.AspNetCore.Components.Web;

namespace VoiceAgent.Designer.Properties.Editors;

public abstract partial class CompletionEditor
{
    private List<string> _items = [];
    private int _active = -1;
    private int _replaceFrom;

    protected abstract bool Multiline { get; }

    /// <summary>Template ("{{ name }}") or expression (bare names) completion.</summary>
    protected abstract bool Template { get; }

    private string ListId => FieldId + "-completions";

    private string ControlClass => Template ? EditorCss.Input : EditorCss.Input + " font-monospace";

    private string Expanded => _items.Count > 0 ? "true" : "false";

    private string? ActiveId => _active >= 0 && _active < _items.Count ? $"{ListId}-{_active}" : null;

    protected override Task AfterInputAsync()
    {
        var word = EditorValues.CompletionWord(Text, Template);
        _items = word is { } w ? EditorValues.Completions(Variables, w.Word) : [];
        _replaceFrom = word?.Start ?? 0;
        _active = _items.Count > 0 ? 0 : -1;
        return Task.CompletedTask;
    }

    private void Close()
    {
        _items = [];
        _active = -1;
    }

    private async Task AcceptAsync(int index)
    {
        if (index < 0 || index >= _items.Count)
        {
            return;
        }

        Text = EditorValues.InsertCompletion(Text, _replaceFrom, _items[index], Template);
        Close();
        await CommitTextAsync();
    }

    private async Task KeyDownAsync(KeyboardEventArgs e)
    {
        if (_items.Count == 0)
        {
            return;
        }

        switch (e.Key)
        {
            case "ArrowDown":
                _active = (_active + 1) % _items.Count;
                break;
            case "ArrowUp":
                _active = (_active - 1 + _items.Count) % _items.Count;
                break;
            case "Enter" when !Multiline:
            case "Tab":
                await AcceptAsync(_active);
                break;
            case "Escape":
                Close();
                break;
        }
    }
}

/// <summary>One line of text with {{ placeholders }}; typing "{{" offers the variables.</summary>
public sealed class TextTemplateEditor : CompletionEditor
{
    protected override bool Multiline => false;

    protected override bool Template => true;
}

/// <summary>A longer prompt or text; "{{" offers the variables.</summary>
public sealed class MultiLineEditor : CompletionEditor
{
    protected override bool Multiline => true;

    protected override bool Template => true;
}

/// <summary>A condition or value such as intent == "book_appointment"; variable names are completed while typing.</summary>
public sealed class ExpressionEditor : CompletionEditor
{
    protected override bool Multiline => false;

    protected override bool Template => false;
}
