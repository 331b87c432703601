namespace VoiceAgent.Cli;

/// <summary>The call cannot go on; the message is German and tells the operator what to check.</summary>
public sealed class CallSimulatorException(string message, Exception? inner = null) : Exception(message, inner);
