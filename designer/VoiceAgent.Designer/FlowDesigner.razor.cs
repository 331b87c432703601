using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Microsoft.JSInterop;
using MudBlazor;
using VoiceAgent.CallFlows;
using VoiceAgent.Designer.Canvas;
using VoiceAgent.Designer.Console;
using VoiceAgent.Designer.Properties;
using VoiceAgent.Designer.Versions;
using VoiceAgent.Flows.Definitions;
using VoiceAgent.Flows.Descriptors;
using VoiceAgent.Flows.Validation;
using VoiceAgent.Platform.Http;
using VoiceAgent.Platform.Portal;
using VoiceAgent.Platform.Ports;
using VoiceAgent.Platform.Resources;
using VoiceAgent.Platform.Tenancy;

namespace VoiceAgent.Designer;

/// <summary>
/// The flow designer. Blazor owns the session (which version is open, its draft revision, saving, validation) and the
/// panels; the canvas module owns the graph and its one undo history. The canvas reports selection, changes and history
/// state through the [JSInvokable] methods; panel edits go back into the canvas as undo steps. The definition travels
/// from the canvas as a stream (interop messages are capped at 32 KB; a 300-node flow is larger).
/// </summary>
public sealed partial class FlowDesigner
{
    /// <summary>How long typing pauses before the canvas is validated (the save waits longer, see DraftAutosave).</summary>
    public static readonly TimeSpan ValidateAfter = TimeSpan.FromMilliseconds(350);

    /// <summary>The most a definition read from the canvas may be (the server's own limit for a flow is lower).</summary>
    private const long MaxDefinitionBytes = 8 * 1024 * 1024;

    private const long MaxImportBytes = 2 * 1024 * 1024;

    private static readonly (string Name, string Key)[] Tabs =
        [("properties", "Designer.Tabs.Properties"), ("versions", "Designer.Tabs.Versions"), ("console", "Designer.Tabs.Console")];

    [Inject] private PortalData Data { get; set; } = default!;
    [Inject] private IJSRuntime JS { get; set; } = default!;
    [Inject] private IStringLocalizer<Texts> T { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private TimeProvider Time { get; set; } = default!;
    [Inject] private ActivityRegistry Registry { get; set; } = default!;
    [Inject] private ILogger<FlowDesigner> Log { get; set; } = default!;

    [Parameter, EditorRequired]
    public Guid FlowId { get; set; }

    /// <summary>The version to open (?version=); else the draft, else the live version, else the newest.</summary>
    [Parameter]
    public int? Version { get; set; }

    [Parameter]
    public string BackUrl { get; set; } = "/app/flows";

    /// <summary>The script's path (absolute: a relative module path would resolve against blazor.web.js's folder).</summary>
    public string ModulePath => "/" + Assets["_content/VoiceAgent.Designer/designer-canvas.js"].TrimStart('/');

    private ElementReference root;
    private Task<IJSObjectReference>? moduleImport;
    private string flowName = "";
    /// <summary>Publish and roll back are for tenant admins (the versions panel checks again before it acts).</summary>
    private bool canPublish;
    private bool notFound;
    private ElementReference propertiesPanel;
    private InputFile? importInput;
    private IJSObjectReference? module;
    private IJSObjectReference? canvas;
    private DotNetObjectReference<FlowDesigner>? self;
    private DraftAutosave? autosave;
    private ITimer? validateTimer;
    private ITimer? messageTimer;
    private bool mounting;
    private bool disposed;

    // ---- what the page shows ----
    private IReadOnlyList<ActivityDescriptor> descriptors = [];
    private IReadOnlyDictionary<string, ActivityDescriptor> descriptorsByType = new Dictionary<string, ActivityDescriptor>();
    private DesignerOptionsResult options = new([], [], [], [], []);
    private string initialDefinition = "";
    private int version = 1;
    private string status = "draft";
    private int? revision;
    private DesignerProblems problems = DesignerProblems.None;
    private CanvasSelection selection = CanvasSelection.None;
    private IReadOnlyList<CanvasNodeRef> nodes = [];
    private IReadOnlyList<string> variables = [];
    private bool canUndo;
    private bool canRedo;
    private bool ready;
    private string tab = "properties";
    private (string Text, string Kind)? message;
    private string? conflict;
    private SaveState saveState = SaveState.Saved;
    private string? saveDetail;
    private string? loadError;
    private int versionsRefresh;

    private string Language => Localization.IsGerman ? "de" : "en";

    private string VersionText => T["Designer.App.Version", version, T[$"Designer.Status.{Capitalized(status)}"]];

    private string? VersionHint => status == "draft" ? null : T["Designer.App.ReadOnlyHint", version].Value;

    private string SaveStateName => saveState.ToString().ToLowerInvariant();

    private string SaveText => T[$"Designer.Save.{saveState}"];

    private string ProblemsClass => LightMarkupButton(problems.Errors.Count == 0 ? "success" : "error") + " va-problems";

    private string ReloadUrl => new Uri(Navigation.Uri).GetLeftPart(UriPartial.Path);

    private static string Capitalized(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    private static string LightMarkupButton(string color) =>
        $"mud-button-root mud-button mud-button-outlined mud-button-outlined-{color} mud-button-outlined-size-small mud-ripple";

    private string CultureUrl(string culture) =>
        $"/culture/{culture}?returnUrl={Uri.EscapeDataString("/" + Navigation.ToBaseRelativePath(Navigation.Uri))}";

    private string RecorderUrl => "/" + Assets["_content/VoiceAgent.Designer/recorder-worklet.js"].TrimStart('/');

    private Task Canvas(string method, params object?[] args) =>
        canvas is null ? Task.CompletedTask : canvas.InvokeVoidAsync(method, args).AsTask();

    /// <summary>Selects a node on the canvas and shows it (a problem in the list, "find node", the test console).</summary>
    private Task FocusNodeAsync(string nodeId)
    {
        tab = "properties";
        return Canvas("focusNode", nodeId);
    }

    private async Task OpenVersionAsync(int number)
    {
        await FlushSaveAsync();
        await LoadVersionAsync(number);
    }

    private void StatusChanged(VersionStatusChange change)
    {
        if (change.Version == version)
        {
            status = change.Status;
            revision = change.Status == "draft" ? revision : null;
        }

        if (change.Message is not null)
        {
            Notify(change.Message, "success");
        }
    }

    private string NodeTitle(string nodeId) => nodes.FirstOrDefault(n => n.Id == nodeId)?.Label ?? nodeId;

    // ---- loading ----
    protected override async Task OnInitializedAsync()
    {
        descriptors = Registry.Descriptors;
        descriptorsByType = descriptors.ToDictionary(d => d.Type);
        autosave = new DraftAutosave(Time, InvokeAsync, ReadDefinitionAsync, SaveAsync, (state, detail) =>
        {
            saveState = state;
            saveDetail = detail;
            if (state == SaveState.Error && detail is not null)
            {
                Notify(T["Designer.Save.Failed", detail], "danger");
            }

            StateHasChanged();
        });

        try
        {
            var (flow, stored, loadedOptions, speech, admin) = await Data.RunAsync<(Flow?, FlowVersion?, DesignerOptionsResult?, bool, bool)>(async w =>
            {
                var flow = await w.Db.Flows.AsNoTracking().SingleOrDefaultAsync(f => f.Id == FlowId, w.Cancellation);
                if (flow is null)
                {
                    return (null, null, null, false, false);
                }

                var versions = await w.Db.FlowVersions.AsNoTracking().Where(v => v.FlowId == FlowId)
                    .Select(v => new { v.Version, v.Status }).ToListAsync(w.Cancellation);
                var pick = versions.FirstOrDefault(v => v.Version == Version)?.Version
                    ?? versions.FirstOrDefault(v => v.Status == FlowVersionStatus.Draft)?.Version
                    ?? versions.FirstOrDefault(v => v.Status == FlowVersionStatus.Live)?.Version
                    ?? versions.Select(v => (int?)v.Version).Max();
                var row = pick is null ? null
                    : await w.Db.FlowVersions.AsNoTracking().SingleAsync(v => v.FlowId == FlowId && v.Version == pick, w.Cancellation);
                var choices = await w.Get<DesignerOptions>().GetAsync(w.User.TenantId()!.Value, w.Cancellation);
                var engines = await w.Get<ISpeechEngines>().GetAsync(w.User.TenantId()!.Value, w.Cancellation);
                return (flow, row, choices, engines.Stt is not null, w.User.IsTenantAdmin());
            });
            if (flow is null)
            {
                notFound = true;
                return;
            }

            flowName = flow.Name;
            canPublish = admin;
            options = loadedOptions! with { SpeechToText = speech };
            if (stored is not null)
            {
                Open(stored.Version, stored.Status, stored.Revision, stored.Definition);
            }
            else
            {
                initialDefinition = JsonSerializer.Serialize(new { name = flowName, nodes = Array.Empty<object>(), connections = Array.Empty<object>() });
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.LogError(ex, "The designer could not load flow {FlowId}", FlowId);
            loadError = T["Designer.App.LoadFailed", T["Designer.App.Network"]];
        }
    }

    /// <summary>Takes a stored version as the open one (state only; the canvas is loaded separately).</summary>
    private void Open(int number, FlowVersionStatus versionStatus, int storedRevision, string definition)
    {
        version = number;
        status = versionStatus.ToString().ToLowerInvariant();
        revision = versionStatus == FlowVersionStatus.Draft ? storedRevision : null;
        initialDefinition = definition;
        Inspect(definition);
    }

    /// <summary>Validates a definition and takes its node list and variables for the pickers.</summary>
    private bool Inspect(string json)
    {
        FlowDefinition definition;
        try
        {
            definition = FlowJson.Parse(json);
        }
        catch (JsonException)
        {
            return false;
        }

        var errors = FlowValidator.Validate(definition, Registry);
        var changed = !errors.SequenceEqual(problems.Errors);
        problems = changed ? new DesignerProblems(errors) : problems;
        nodes = definition.Nodes.OrderBy(n => n.Id, StringComparer.Ordinal)
            .Select(n => new CanvasNodeRef(n.Id, descriptorsByType.TryGetValue(n.Type, out var d) ? $"{n.Id} ({d.DisplayName.For(Language)})" : n.Id))
            .ToList();
        // Completion offers the run variables, the flow's own and what SetVariable activities set.
        variables = options.Variables.Concat(definition.Variables.Select(v => v.Name))
            .Concat(definition.Nodes.Where(n => n.Type == "SetVariable")
                .Select(n => n.Inputs.GetValueOrDefault("name") is JsonValue name && name.TryGetValue<string>(out var text) ? text : null)
                .OfType<string>().Where(n => n.Length > 0))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return changed;
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        // The script loads while the flow does (the first render comes before the data).
        if (firstRender)
        {
            moduleImport = JS.InvokeAsync<IJSObjectReference>("import", ModulePath).AsTask();
        }

        if (canvas is not null || mounting || loadError is not null || notFound || initialDefinition.Length == 0 || disposed || moduleImport is null)
        {
            return;
        }

        mounting = true;
        try
        {
            module = await moduleImport;
            self = DotNetObjectReference.Create(this);
            canvas = await module.InvokeAsync<IJSObjectReference>("mount", root, self,
                new { definition = initialDefinition, descriptors, language = Language, errors = problems.Errors });
            // The baseline is the canvas as mounted: an edit made before this line runs (a fast paste) stays unsaved.
            autosave!.Loaded(await ReadDefinitionAsync("mounted"));
            ready = true;
            StateHasChanged();
        }
        catch (JSDisconnectedException)
        {
        }
        catch (JSException ex)
        {
            Log.LogError(ex, "The designer canvas could not start for flow {FlowId}", FlowId);
            loadError = T["Designer.App.LoadFailed", ex.Message];
            StateHasChanged();
        }
        finally
        {
            mounting = false;
        }
    }

    private Task<string?> ReadDefinitionAsync() => ReadDefinitionAsync("definition");

    private async Task<string?> ReadDefinitionAsync(string method)
    {
        if (canvas is null)
        {
            return null;
        }

        await using var data = await canvas.InvokeAsync<IJSStreamReference>(method);
        await using var stream = await data.OpenReadStreamAsync(MaxDefinitionBytes);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }

    // ---- from the canvas ----
    [JSInvokable]
    public Task OnSelection(CanvasSelection next)
    {
        selection = next;
        StateHasChanged();
        return Task.CompletedTask;
    }

    [JSInvokable]
    public Task OnChanged()
    {
        autosave?.Changed();
        validateTimer?.Dispose();
        validateTimer = Time.CreateTimer(_ => _ = InvokeAsync(ValidateAsync), null, ValidateAfter, Timeout.InfiniteTimeSpan);
        return Task.CompletedTask;
    }

    [JSInvokable]
    public Task OnHistory(bool undo, bool redo)
    {
        canUndo = undo;
        canRedo = redo;
        StateHasChanged();
        return Task.CompletedTask;
    }

    [JSInvokable]
    public Task OnSave() => FlushSaveAsync();

    [JSInvokable]
    public Task OnNotify(string text, string kind)
    {
        Notify(text, kind);
        return Task.CompletedTask;
    }

    [JSInvokable]
    public async Task OnOpenProperties()
    {
        tab = "properties";
        StateHasChanged();
        await Task.Yield();
        if (module is not null)
        {
            await module.InvokeVoidAsync("focusFirst", propertiesPanel);
        }
    }

    private async Task ValidateAsync()
    {
        if (disposed)
        {
            return;
        }

        try
        {
            var json = await ReadDefinitionAsync();
            if (json is not null)
            {
                ApplyProblems(json);
            }
        }
        catch (JSDisconnectedException)
        {
        }
    }

    private void ApplyProblems(string json)
    {
        if (Inspect(json) && canvas is not null)
        {
            _ = canvas.InvokeVoidAsync("setErrors", problems.Errors).AsTask();
        }

        StateHasChanged();
    }

    // ---- saving ----
    /// <summary>Saves now (panels call it before they act on the stored version); true when the canvas is saved.</summary>
    public async Task<bool> FlushSaveAsync()
    {
        if (canvas is not null)
        {
            await canvas.InvokeVoidAsync("commitPending");
        }

        return autosave is not null && await autosave.FlushAsync();
    }

    private async Task<SaveAttempt> SaveAsync(string json)
    {
        try
        {
            var basedOn = DraftBase.From(status == "draft" ? revision : null);
            var outcome = await Data.RunAsync(w => w.Get<FlowService>().SaveDraftAsync(FlowId, json, basedOn, w.Actor, w.Cancellation));
            switch (outcome.Kind)
            {
                case OutcomeKind.Ok:
                    var saved = outcome.Value!.Version;
                    var newVersion = saved.Version != version;
                    version = saved.Version;
                    status = "draft";
                    revision = saved.Revision;
                    if (newVersion)
                    {
                        versionsRefresh++;
                        ShowVersionInUrl();
                    }

                    ApplyProblems(json);
                    return SaveAttempt.Stored;
                case OutcomeKind.Conflict:
                    conflict = outcome.Message ?? T["Designer.Save.ConflictTitle"];
                    return new SaveAttempt(false, Conflict: true, Message: conflict);
                default:
                    return new SaveAttempt(false, Message: outcome.Message ?? string.Join(" ", outcome.Errors?.Values.SelectMany(e => e) ?? []));
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not JSDisconnectedException)
        {
            Log.LogWarning(ex, "Saving the draft of flow {FlowId} failed", FlowId);
            return new SaveAttempt(false, Retry: true, Message: T["Designer.App.Network"]);
        }
    }

    private void ShowVersionInUrl()
    {
        var url = Navigation.GetUriWithQueryParameter("version", version);
        if (url != Navigation.Uri)
        {
            Navigation.NavigateTo(url, replace: true);
        }
    }

    /// <summary>Opens a stored version in the editor. An import is <paramref name="undoable"/>: one undo step on the
    /// canvas brings back what was there; otherwise the canvas starts with an empty history.</summary>
    public async Task LoadVersionAsync(int number, string? notice = null, bool undoable = false)
    {
        var stored = await Data.RunAsync(w =>
            w.Db.FlowVersions.AsNoTracking().SingleOrDefaultAsync(v => v.FlowId == FlowId && v.Version == number, w.Cancellation));
        if (stored is null)
        {
            Notify(T["Problem.NotFound"], "danger");
            return;
        }

        Open(stored.Version, stored.Status, stored.Revision, stored.Definition);
        conflict = null;
        message = null;
        if (canvas is not null)
        {
            await canvas.InvokeVoidAsync("load", stored.Definition, undoable, problems.Errors);
            autosave?.Reset(await ReadDefinitionAsync());
        }

        versionsRefresh++;
        ShowVersionInUrl();
        if (notice is not null)
        {
            Notify(notice, "success");
        }

        StateHasChanged();
    }

    // ---- toolbar ----
    private async Task ToolbarAsync(string action)
    {
        if (canvas is null)
        {
            return;
        }

        switch (action)
        {
            case "import":
                await module!.InvokeVoidAsync("click", importInput?.Element);
                break;
            case "export":
                await ExportAsync();
                break;
            case "save":
                await FlushSaveAsync();
                break;
            case "note":
                if (await canvas.InvokeAsync<bool>("addNote"))
                {
                    await OnOpenProperties();
                }

                break;
            default:
                await canvas.InvokeVoidAsync(action);
                break;
        }
    }

    private async Task ShowProblemsAsync()
    {
        tab = "properties";
        if (canvas is not null)
        {
            await canvas.InvokeVoidAsync("clearSelection");
        }
    }

    private Task AddNodeAsync(string type) => canvas is null ? Task.CompletedTask : canvas.InvokeVoidAsync("addNode", type).AsTask();

    private void TabKey(KeyboardEventArgs e, string name)
    {
        var step = e.Key switch { "ArrowRight" => 1, "ArrowLeft" => -1, _ => 0 };
        if (step != 0)
        {
            var at = Array.FindIndex(Tabs, t => t.Name == name);
            tab = Tabs[(at + step + Tabs.Length) % Tabs.Length].Name;
        }
    }

    // ---- import / export ----
    private async Task ImportAsync(InputFileChangeEventArgs e)
    {
        string text;
        try
        {
            await using var stream = e.File.OpenReadStream(MaxImportBytes);
            using var reader = new StreamReader(stream);
            text = await reader.ReadToEndAsync();
            using var _ = JsonDocument.Parse(text);
        }
        catch (IOException)
        {
            Notify(T["Designer.Import.Failed", T["Designer.Import.TooLarge", MaxImportBytes / 1024 / 1024]], "danger");
            return;
        }
        catch (JsonException)
        {
            Notify(T["Designer.Import.InvalidJson"], "danger");
            return;
        }

        await FlushSaveAsync();
        if (conflict is not null)
        {
            return;
        }

        var basedOn = status == "draft" ? revision : null;
        var outcome = await Data.RunAsync(w => w.Get<FlowService>().ImportAsync(FlowId, text, basedOn, w.Actor, w.Cancellation));
        switch (outcome.Kind)
        {
            case OutcomeKind.Ok:
                await LoadVersionAsync(outcome.Value!.Version.Version, T["Designer.Import.Done", outcome.Value.Version.Version], undoable: true);
                break;
            case OutcomeKind.Conflict:
                conflict = outcome.Message ?? T["Designer.Save.ConflictTitle"];
                autosave?.Reset(null);
                saveState = SaveState.Conflict;
                break;
            default:
                Notify(T["Designer.Import.Failed", outcome.Message ?? string.Join(" ", outcome.Errors?.Values.SelectMany(m => m) ?? [])], "danger");
                break;
        }
    }

    private async Task ExportAsync()
    {
        await FlushSaveAsync();
        var file = await Data.RunAsync(w => FlowVersions.ExportAsync(w.Db, FlowId, version, w.Cancellation));
        if (file is null)
        {
            Notify(T["Designer.Export.Failed", T["Problem.NotFound"]], "danger");
            return;
        }

        await module!.InvokeVoidAsync("download", file.FileName, file.Text);
    }

    /// <summary>Indented, and umlauts as they are (the file is for people too).</summary>
    private static readonly JsonSerializerOptions PrettyJson =
        new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private async Task ExportMineAsync()
    {
        var json = await ReadDefinitionAsync();
        if (json is not null)
        {
            var pretty = JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement, PrettyJson);
            await module!.InvokeVoidAsync("download", $"{(flowName.Length > 0 ? flowName : "ablauf")}-meine-fassung.json", pretty);
        }
    }

    // ---- messages ----
    private void Notify(string text, string kind)
    {
        message = (text, kind);
        messageTimer?.Dispose();
        messageTimer = null;
        if (kind == "success")
        {
            // Successes fade after a while; errors stay until closed or replaced.
            messageTimer = Time.CreateTimer(_ => _ = InvokeAsync(() =>
            {
                message = null;
                StateHasChanged();
            }), null, TimeSpan.FromSeconds(8), Timeout.InfiniteTimeSpan);
        }

        StateHasChanged();
    }

    public async ValueTask DisposeAsync()
    {
        disposed = true;
        validateTimer?.Dispose();
        messageTimer?.Dispose();
        autosave?.Dispose();
        try
        {
            if (canvas is not null)
            {
                await canvas.InvokeVoidAsync("dispose");
                await canvas.DisposeAsync();
            }

            if (module is not null)
            {
                await module.DisposeAsync();
            }
        }
        catch (JSDisconnectedException)
        {
        }

        self?.Dispose();
    }
}
