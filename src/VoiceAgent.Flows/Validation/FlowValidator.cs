using VoiceAgent.Flows.Definitions;
using VoiceAgent.Flows.Descriptors;
using VoiceAgent.Flows.Expressions;
using VoiceAgent.Flows.Resources;
using VoiceAgent.Flows.Runtime;

namespace VoiceAgent.Flows.Validation;

public sealed record ValidationError(string? NodeId, string Code, string Message);

public static class ValidationCodes
{
    public const string MissingStart = "missing_start";
    public const string MultipleStarts = "multiple_starts";
    public const string MissingId = "missing_id";
    public const string DuplicateNode = "duplicate_node";
    public const string UnknownType = "unknown_type";
    public const string MissingInput = "missing_input";
    public const string InvalidInput = "invalid_input";
    public const string UnknownInput = "unknown_input";
    public const string TemplateSyntax = "template_syntax";
    public const string ExpressionSyntax = "expression_syntax";
    public const string UnconnectedOutcome = "unconnected_outcome";
    public const string UnknownOutcome = "unknown_outcome";
    public const string DuplicateConnection = "duplicate_connection";
    public const string UnknownNode = "unknown_node";
    public const string UnreachableNode = "unreachable_node";
    public const string LoopWithoutWait = "loop_without_wait";
    public const string TooManyNotes = "too_many_notes";
    public const string NoteTooLong = "note_too_long";
    public const string InvalidNote = "invalid_note";
}

/// <summary>
/// Checks a definition before it can run or be published. Messages are in the UI language (German by default) and
/// carry the node id so the designer can mark the node. <c>Failed</c> outcomes may stay unconnected (the run then
/// ends and the activities' <see cref="IRunEndHandler"/> closes the conversation); every other outcome must lead somewhere.
/// </summary>
public static class FlowValidator
{
    public static IReadOnlyList<ValidationError> Validate(FlowDefinition flow, ActivityRegistry registry)
    {
        var errors = new List<ValidationError>();
        void Add(string? nodeId, string code, string key, params object?[] args) =>
            errors.Add(new ValidationError(nodeId, code, FlowTexts.Format(key, args)));

        var nodes = new Dictionary<string, (FlowNode Node, ActivityType? Type)>(StringComparer.Ordinal);
        foreach (var node in flow.Nodes)
        {
            if (string.IsNullOrWhiteSpace(node.Id))
            {
                Add(null, ValidationCodes.MissingId, "Validation.MissingId", node.Type);
                continue;
            }

            ActivityType? type = registry.TryGet(node.Type, out var t) ? t : null;
            if (!nodes.TryAdd(node.Id, (node, type)))
            {
                Add(node.Id, ValidationCodes.DuplicateNode, "Validation.DuplicateNode", node.Id);
                continue;
            }

            if (type is null)
            {
                Add(node.Id, ValidationCodes.UnknownType, "Validation.UnknownType", node.Type);
                continue;
            }

            ValidateInputs(node, type, Add);
        }

        var starts = nodes.Values.Where(n => n.Node.Type == Start.Type).ToList();
        if (starts.Count == 0)
        {
            Add(null, ValidationCodes.MissingStart, "Validation.MissingStart");
        }
        else if (starts.Count > 1)
        {
            foreach (var extra in starts.Skip(1))
            {
                Add(extra.Node.Id, ValidationCodes.MultipleStarts, "Validation.MultipleStarts");
            }
        }

        var edges = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var connected = new HashSet<(string, string)>();
        foreach (var c in flow.Connections)
        {
            if (!nodes.TryGetValue(c.From ?? "", out var from))
            {
                Add(c.From, ValidationCodes.UnknownNode, "Validation.UnknownSource", c.From);
                continue;
            }

            if (!nodes.ContainsKey(c.To ?? ""))
            {
                Add(c.From, ValidationCodes.UnknownNode, "Validation.UnknownTarget", c.To, c.Outcome);
                continue;
            }

            if (from.Type is not null && !from.Type.OutcomesOf(from.Node).Contains(c.Outcome))
            {
                Add(c.From, ValidationCodes.UnknownOutcome, "Validation.UnknownOutcome", c.Outcome, from.Node.Type);
                continue;
            }

            if (!connected.Add((c.From!, c.Outcome)))
            {
                Add(c.From, ValidationCodes.DuplicateConnection, "Validation.DuplicateConnection", c.Outcome);
                continue;
            }

            (edges.TryGetValue(c.From!, out var list) ? list : edges[c.From!] = []).Add(c.To!);
        }

        foreach (var (id, (node, type)) in nodes)
        {
            foreach (var outcome in type?.OutcomesOf(node) ?? [])
            {
                if (outcome != Outcomes.Failed && !connected.Contains((id, outcome)))
                {
                    Add(id, ValidationCodes.UnconnectedOutcome, "Validation.UnconnectedOutcome", outcome);
                }
            }
        }

        if (starts.Count >= 1)
        {
            var reachable = Reachable(starts[0].Node.Id, edges);
            foreach (var id in nodes.Keys.Where(id => !reachable.Contains(id)))
            {
                Add(id, ValidationCodes.UnreachableNode, "Validation.Unreachable");
            }
        }

        foreach (var loop in Cycles(nodes.Keys, edges))
        {
            if (!loop.Any(id => nodes[id].Type?.Descriptor.Waits == true))
            {
                Add(loop[0], ValidationCodes.LoopWithoutWait, "Validation.LoopWithoutWait", string.Join(" → ", loop));
            }
        }

        ValidateNotes(flow.Notes, Add);
        return errors;
    }

    // Notes are comments: they never stop a run, but a definition stays small and readable (limits in FlowNote).
    private static void ValidateNotes(List<FlowNote?>? notes, Action<string?, string, string, object?[]> add)
    {
        if (notes is null)
        {
            return;
        }

        if (notes.Count > FlowNote.MaxCount)
        {
            add(null, ValidationCodes.TooManyNotes, "Validation.TooManyNotes", [notes.Count, FlowNote.MaxCount]);
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var note in notes)
        {
            if (note is null || string.IsNullOrWhiteSpace(note.Id) || !ids.Add(note.Id)
                || !double.IsFinite(note.X) || !double.IsFinite(note.Y)
                || note.Width is < FlowNote.MinSize or > FlowNote.MaxSize or double.NaN
                || note.Height is < FlowNote.MinSize or > FlowNote.MaxSize or double.NaN)
            {
                add(null, ValidationCodes.InvalidNote, "Validation.InvalidNote", [note?.Id ?? "", FlowNote.MinSize, FlowNote.MaxSize]);
            }
            else if ((note.Text?.Length ?? 0) > FlowNote.MaxTextLength)
            {
                add(null, ValidationCodes.NoteTooLong, "Validation.NoteTooLong", [note.Text!.Length, FlowNote.MaxTextLength]);
            }
        }
    }

    private static void ValidateInputs(FlowNode node, ActivityType type, Action<string?, string, string, object?[]> add)
    {
        foreach (var (name, input) in type.Inputs)
        {
            node.Inputs.TryGetValue(name, out var value);
            var label = type.Descriptor.Inputs.First(i => i.Name == name).DisplayName.For(FlowTexts.Language);
            var empty = value is null || (value is System.Text.Json.Nodes.JsonValue v && v.ToString().Trim().Length == 0)
                                      || (value is System.Text.Json.Nodes.JsonArray a && a.Count == 0);
            if (empty)
            {
                if (input.Required)
                {
                    add(node.Id, ValidationCodes.MissingInput, "Validation.MissingInput", [label]);
                }

                continue;
            }

            switch (input.Syntax)
            {
                case InputSyntax.Template:
                    try
                    {
                        FlowTemplate.Parse(value!.ToString());
                    }
                    catch (ExpressionException ex)
                    {
                        add(node.Id, ValidationCodes.TemplateSyntax, "Validation.TemplateSyntax", [label, ex.Message, ex.Position + 1]);
                    }

                    break;
                case InputSyntax.Expression:
                    try
                    {
                        FlowExpression.Parse(value!.ToString());
                    }
                    catch (ExpressionException ex)
                    {
                        add(node.Id, ValidationCodes.ExpressionSyntax, "Validation.ExpressionSyntax", [label, ex.Message, ex.Position + 1]);
                    }

                    break;
                default:
                    if (!input.TryConvertLiteral(value, out _))
                    {
                        var allowed = input.Options is { } options ? string.Join(", ", options) : "";
                        add(node.Id, ValidationCodes.InvalidInput, allowed.Length > 0 ? "Validation.InvalidChoice" : "Validation.InvalidInput",
                            [label, value!.ToJsonString(), allowed]);
                    }

                    break;
            }
        }

        foreach (var name in node.Inputs.Keys.Where(k => !type.Inputs.ContainsKey(k)))
        {
            add(node.Id, ValidationCodes.UnknownInput, "Validation.UnknownInput", [name]);
        }
    }

    private static HashSet<string> Reachable(string start, Dictionary<string, List<string>> edges)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal) { start };
        var stack = new Stack<string>([start]);
        while (stack.TryPop(out var id))
        {
            foreach (var next in edges.GetValueOrDefault(id) ?? [])
            {
                if (seen.Add(next))
                {
                    stack.Push(next);
                }
            }
        }

        return seen;
    }

    /// <summary>Strongly connected components that form a cycle (Tarjan), each as a list of node ids.</summary>
    private static List<List<string>> Cycles(IEnumerable<string> nodeIds, Dictionary<string, List<string>> edges)
    {
        var index = 0;
        var indices = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var onStack = new HashSet<string>();
        var stack = new Stack<string>();
        var result = new List<List<string>>();

        void Visit(string v)
        {
            indices[v] = low[v] = index++;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in edges.GetValueOrDefault(v) ?? [])
            {
                if (!indices.ContainsKey(w))
                {
                    Visit(w);
                    low[v] = Math.Min(low[v], low[w]);
                }
                else if (onStack.Contains(w))
                {
                    low[v] = Math.Min(low[v], indices[w]);
                }
            }

            if (low[v] != indices[v])
            {
                return;
            }

            var component = new List<string>();
            string x;
            do
            {
                x = stack.Pop();
                onStack.Remove(x);
                component.Add(x);
            }
            while (x != v);

            if (component.Count > 1 || (edges.GetValueOrDefault(v)?.Contains(v) ?? false))
            {
                component.Reverse();
                result.Add(component);
            }
        }

        foreach (var id in nodeIds)
        {
            if (!indices.ContainsKey(id))
            {
                Visit(id);
            }
        }

        return result;
    }
}
