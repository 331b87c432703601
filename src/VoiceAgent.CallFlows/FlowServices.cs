namespace VoiceAgent.CallFlows;

/// <summary>The ports one run uses (channel, calendar, NLU …), resolved per tenant and session.</summary>
public sealed class FlowServices : IServiceProvider
{
    private readonly Dictionary<Type, object> services = [];

    public FlowServices Add<T>(T service) where T : class
    {
        services[typeof(T)] = service;
        return this;
    }

    public object? GetService(Type serviceType) => services.GetValueOrDefault(serviceType);
}
