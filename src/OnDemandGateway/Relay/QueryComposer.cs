using System.Text;
using OnDemandGateway.OpenAi;

namespace OnDemandGateway.Relay;

/// <summary>Turns the whole conversation into the upstream's single <c>query</c> text, readable as a person would
/// write it: system instructions first, then earlier turns labelled by role, then the last message. A lone user
/// message with no system prompt goes verbatim. (The older proxies sent only the last message, or escaped JSON.)</summary>
internal static class QueryComposer
{
    public static string Compose(IReadOnlyList<ChatMessage> messages)
    {
        if (messages.Count == 1 && messages[0].Role == "user") return messages[0].Content;

        var builder = new StringBuilder();
        foreach (var message in messages)
        {
            if (message.Role is "system" or "developer") Append(builder, "System", message);
        }
        foreach (var message in messages)
        {
            if (message.Role is "system" or "developer") continue;
            Append(builder, Label(message.Role), message);
        }
        return builder.ToString();
    }

    private static void Append(StringBuilder builder, string label, ChatMessage message)
    {
        if (builder.Length > 0) builder.Append("\n\n");
        builder.Append(label);
        if (!string.IsNullOrEmpty(message.Name) && label != "System") builder.Append(" (").Append(message.Name).Append(')');
        builder.Append(": ").Append(message.Content);
    }

    private static string Label(string role) => role switch
    {
        "user" => "User",
        "assistant" => "Assistant",
        "tool" or "function" => "Tool result",
        _ => role,
    };
}
