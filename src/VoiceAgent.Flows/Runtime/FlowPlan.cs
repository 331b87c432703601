using System.Text.Json.Nodes;
using VoiceAgent.Flows.Definitions;
using VoiceAgent.Flows.Descriptors;
using VoiceAgent.Flows.Expressions;
using VoiceAgent.Flows.Validation;

namespace VoiceAgent.Flows.Runtime;

/// <summary>The definition of one flow version compiled for running: templates and expressions parsed once, literal
/// inputs converted once, outcomes resolved to the next node. Immutable; share it across runs (cache per version).</summary>
public sealed class FlowPlan
{
    private readonly Dictionary<string, PlanNode> nodes;

    private FlowPlan(string startNodeId, Dictionary<string, PlanNode> nodes, IReadOnlyList<FlowVariable> variables,
        IReadOnlyList<IRunEndHandler> runEndHandlers)
    {
        StartNodeId = startNodeId;
        this.nodes = nodes;
        Variables = variables;
        RunEndHandlers = runEndHandlers;
    }

    public string StartNodeId { get; }

    public IReadOnlyList<FlowVariable> Variables { get; }

    /// <summary>From the registry the plan was compiled with: they close the conversation when a run ends by itself.</summary>
    public IReadOnlyList<IRunEndHandler> RunEndHandlers { get; }

    internal PlanNode Node(string id) => nodes[id];

    public bool HasNode(string id) => nodes.ContainsKey(id);

    /// <exception cref="FlowValidationException">The definition has validation errors.</exception>
    public static FlowPlan Compile(FlowDefinition flow, ActivityRegistry registry)
    {
        var errors = FlowValidator.Validate(flow, registry);
        if (errors.Count > 0)
        {
            throw new FlowValidationException(errors);
        }

        var planNodes = new Dictionary<string, PlanNode>(StringComparer.Ordinal);
        foreach (var node in flow.Nodes)
        {
            registry.TryGet(node.Type, out var type);
            var bindings = new List<InputBinding>();
            // A node that writes a variable with a secret-looking name (SetVariable "apiToken") keeps its values out of the trace.
            var writesSecret = type.Descriptor.Inputs.Any(i => i.UiHint == UiHints.VariableName && node.Inputs.TryGetValue(i.Name, out var target)
                && target is JsonValue v && v.TryGetValue<string>(out var variable) && TraceValues.IsSecretName(variable));
            foreach (var (name, input) in type.Inputs)
            {
                // Template and expression defaults are bound too, so "{{ … }}" in a default is rendered, never spoken raw.
                var text = node.Inputs.TryGetValue(name, out var value) ? value?.ToString() : input.DefaultText;
                var traced = TraceValues.IsSecretName(name) || writesSecret && input.Syntax != InputSyntax.Literal ? TracedAs.Redacted
                    : type.Descriptor.Inputs.Any(i => i.Name == name && i.UiHint == UiHints.Url) ? TracedAs.Url
                    : TracedAs.Value;
                if (input.Syntax != InputSyntax.Literal && string.IsNullOrEmpty(text))
                {
                    continue;
                }

                switch (input.Syntax)
                {
                    case InputSyntax.Template:
                        bindings.Add(new InputBinding(input, null, FlowTemplate.Parse(text!), null, traced));
                        break;
                    case InputSyntax.Expression:
                        bindings.Add(new InputBinding(input, null, null, FlowExpression.Parse(text!), traced));
                        break;
                    default:
                        if (node.Inputs.ContainsKey(name))
                        {
                            bindings.Add(input.TryConvertLiteral(value, out var literal)
                                ? new InputBinding(input, literal, null, null, traced)
                                : throw new InvalidOperationException($"Input {name} of {node.Id} did not validate."));
                        }

                        break;
                }
            }

            var next = flow.Connections.Where(c => c.From == node.Id).ToDictionary(c => c.Outcome, c => c.To, StringComparer.Ordinal);
            planNodes[node.Id] = new PlanNode(node.Id, type, bindings.ToArray(), next);
        }

        var start = flow.Nodes.Single(n => n.Type == Start.Type).Id;
        return new FlowPlan(start, planNodes, flow.Variables, registry.RunEndHandlers);
    }
}

public sealed class FlowValidationException(IReadOnlyList<ValidationError> errors)
    : Exception(string.Join(Environment.NewLine, errors.Select(e => $"{e.NodeId}: {e.Message}")))
{
    public IReadOnlyList<ValidationError> Errors { get; } = errors;
}

internal sealed record PlanNode(string Id, ActivityType Type, InputBinding[] Bindings, Dictionary<string, string> Next)
{
    /// <summary>A fresh activity with its inputs bound against the current variables; each bound value is also written to
    /// <paramref name="trace"/> (shortened) when given.</summary>
    public Activity Instantiate(JsonObject variables, Dictionary<string, JsonNode?>? trace = null)
    {
        var activity = Type.Create();
        foreach (var binding in Bindings)
        {
            var value = binding.Template is { } template ? template.Render(variables)
                : binding.Expression is { } expression ? binding.Input.ConvertEvaluated(expression.Evaluate(variables))
                : binding.Literal is JsonNode node ? node.DeepClone() : binding.Literal;
            binding.Input.Set(activity, value);
            if (trace is not null)
            {
                trace[binding.Input.Name] = binding.Traced switch
                {
                    TracedAs.Redacted => TraceValues.Redact(value),
                    TracedAs.Url => TraceValues.Url(value as string),
                    _ => value switch
                    {
                        string text => TraceValues.Text(text),
                        JsonNode json => TraceValues.Shorten(json),
                        _ => InputProperty.ToJson(value),
                    },
                };
            }
        }

        return activity;
    }
}

internal sealed record InputBinding(InputProperty Input, object? Literal, FlowTemplate? Template, FlowExpression? Expression, TracedAs Traced);

/// <summary>How an input's value goes into the trace.</summary>
internal enum TracedAs
{
    Value,
    Url,
    Redacted,
}
