namespace VoiceAgent.Testing;

/// <summary>Flows where every caller turn goes to the conversational model (the streaming tests and the B5 benchmark).</summary>
public static class ConversationFlows
{
    /// <summary>Start → Speak → Listen (free text) → Ask (intent book_appointment) → Listen …; a failed Ask hangs up.</summary>
    public static object AskLoop(string name) => new
    {
        name,
        nodes = new object[]
        {
            new { id = "start", type = "Start", position = new { x = 0, y = 0 } },
            new { id = "hello", type = "Speak", inputs = new { text = "Hallo, was kann ich für Sie tun?" }, position = new { x = 0, y = 120 } },
            new { id = "listen", type = "Listen", inputs = new { expectation = "text", maxRetries = 20 }, position = new { x = 0, y = 240 } },
            new { id = "ask", type = "Ask", inputs = new { intents = new[] { "book_appointment" } }, position = new { x = 0, y = 360 } },
            new { id = "bye", type = "Hangup", inputs = new { goodbye = "Auf Wiederhören." }, position = new { x = 300, y = 360 } },
        },
        connections = new object[]
        {
            new { from = "start", outcome = "Done", to = "hello" },
            new { from = "hello", outcome = "Done", to = "listen" },
            new { from = "listen", outcome = "Recognized", to = "ask" },
            new { from = "listen", outcome = "NoInput", to = "listen" },
            new { from = "listen", outcome = "NoMatch", to = "listen" },
            new { from = "ask", outcome = "book_appointment", to = "listen" },
            new { from = "ask", outcome = "Unknown", to = "listen" },
            new { from = "ask", outcome = "Failed", to = "bye" },
        },
    };
}
