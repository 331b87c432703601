using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using VoiceAgent.Flows.Runtime;

namespace VoiceAgent.Flows.Descriptors;

/// <summary>
/// All activity types, found by their <see cref="ActivityAttribute"/>. Adding an activity class is all it takes for it
/// to appear in <c>GET /api/activities</c> and the designer. The same assemblies bring the <see cref="IRunEndHandler"/>s
/// that close a conversation when a run ends without an activity ending it.
/// </summary>
public sealed class ActivityRegistry
{
    private readonly Dictionary<string, ActivityType> types;

    private ActivityRegistry(Dictionary<string, ActivityType> types, IReadOnlyList<IRunEndHandler> runEndHandlers)
    {
        this.types = types;
        RunEndHandlers = runEndHandlers;
    }

    /// <summary>Called in this order when a run ends without an activity ending it.</summary>
    public IReadOnlyList<IRunEndHandler> RunEndHandlers { get; }

    public IReadOnlyList<ActivityDescriptor> Descriptors => types.Values.Select(t => t.Descriptor).OrderBy(d => d.Category).ThenBy(d => d.Type).ToList();

    public static ActivityRegistry FromAssemblies(params Assembly[] assemblies)
    {
        var found = new Dictionary<string, ActivityType>(StringComparer.Ordinal);
        var endHandlers = new List<Type>();
        foreach (var type in assemblies.Append(typeof(ActivityRegistry).Assembly).Distinct().SelectMany(a => a.GetTypes()))
        {
            if (type is { IsClass: true, IsAbstract: false, IsPublic: true } && typeof(IRunEndHandler).IsAssignableFrom(type))
            {
                endHandlers.Add(type);
                continue;
            }

            if (type.IsAbstract || !typeof(Activity).IsAssignableFrom(type) || type.GetCustomAttribute<ActivityAttribute>() is not { } attribute)
            {
                continue;
            }

            if (!found.TryAdd(attribute.Type, ActivityType.Create(type, attribute)))
            {
                throw new InvalidOperationException($"Two activities declare the type '{attribute.Type}'.");
            }
        }

        var handlers = endHandlers.OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => (IRunEndHandler)(t.GetConstructor(Type.EmptyTypes)
                ?? throw new InvalidOperationException($"{t.Name} needs a parameterless constructor.")).Invoke(null))
            .ToList();
        return new ActivityRegistry(found, handlers);
    }

    public bool TryGet(string type, out ActivityType activityType) => types.TryGetValue(type, out activityType!);
}

/// <summary>An activity class with its descriptor and how to create and bind it.</summary>
public sealed class ActivityType
{
    private readonly Func<Activity> factory;

    private ActivityType(ActivityDescriptor descriptor, Func<Activity> factory, IReadOnlyDictionary<string, InputProperty> inputs)
    {
        Descriptor = descriptor;
        this.factory = factory;
        Inputs = inputs;
    }

    public ActivityDescriptor Descriptor { get; }

    public IReadOnlyDictionary<string, InputProperty> Inputs { get; }

    public Activity Create() => factory();

    /// <summary>The outcomes of a node of this type: the declared ones plus those named by <c>OutcomesFromInput</c>.</summary>
    public IReadOnlyList<string> OutcomesOf(Definitions.FlowNode node)
    {
        var outcomes = Descriptor.Outcomes.Select(o => o.Name).ToList();
        if (Descriptor.OutcomesFromInput is { } input && node.Inputs.TryGetValue(input, out var value) && value is JsonArray list)
        {
            outcomes.InsertRange(0, list.Select(v => v?.ToString() ?? "").Where(v => v.Length > 0 && !outcomes.Contains(v)).Distinct());
        }

        return outcomes;
    }

    internal static ActivityType Create(Type type, ActivityAttribute attribute)
    {
        var constructor = type.GetConstructor(Type.EmptyTypes) ?? throw new InvalidOperationException($"{type.Name} needs a parameterless constructor.");
        Func<Activity> factory = () => (Activity)constructor.Invoke(null);
        var prototype = factory();
        var inputs = new Dictionary<string, InputProperty>(StringComparer.Ordinal);
        var inputDescriptors = new List<InputDescriptor>();
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetCustomAttribute<InputAttribute>() is not { } input)
            {
                continue;
            }

            var name = JsonNamingPolicy.CamelCase.ConvertName(property.Name);
            var valueType = InputProperty.ValueTypeOf(property.PropertyType, input.Syntax);
            // An expression input's default is expression text; a typed property value (false, 0) is no expression.
            var defaultValue = input.Syntax == InputSyntax.Expression
                ? property.GetValue(prototype) is string expression ? JsonValue.Create(expression) : null
                : InputProperty.ToJson(property.GetValue(prototype));
            inputs[name] = new InputProperty(name, property, input.Syntax, input.Required, input.Options)
            {
                DefaultText = property.GetValue(prototype) as string,
            };
            inputDescriptors.Add(new InputDescriptor(name, valueType, new(input.DisplayNameDe, input.DisplayNameEn),
                new(input.DescriptionDe, input.DescriptionEn), input.UiHint, input.Required,
                input.Syntax.ToString().ToLowerInvariant(), defaultValue, input.Options));
        }

        var outcomes = type.GetCustomAttributes<OutcomeAttribute>()
            .Select(o => new OutcomeDescriptor(o.Name, new(o.DisplayNameDe, o.DisplayNameEn))).ToList();
        var descriptor = new ActivityDescriptor(attribute.Type, attribute.Category, new(attribute.DisplayNameDe, attribute.DisplayNameEn),
            new(attribute.DescriptionDe, attribute.DescriptionEn), inputDescriptors, outcomes, attribute.Waits, attribute.OutcomesFromInput);
        return new ActivityType(descriptor, factory, inputs);
    }
}
