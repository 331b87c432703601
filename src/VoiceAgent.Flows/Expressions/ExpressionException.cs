namespace VoiceAgent.Flows.Expressions;

/// <summary>A syntax error in a template or condition; <see cref="Position"/> is the 0-based character offset.</summary>
public sealed class ExpressionException(string message, int position) : Exception(message)
{
    public int Position { get; } = position;
}
