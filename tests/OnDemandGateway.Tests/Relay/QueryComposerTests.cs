using OnDemandGateway.OpenAi;
using OnDemandGateway.Relay;

namespace OnDemandGateway.Tests.Relay;

public sealed class QueryComposerTests
{
    [Fact]
    public void Compose_LoneUserMessage_IsSentVerbatim()
    {
        Assert.Equal("What is 2+2?\nAnswer briefly.", QueryComposer.Compose([new ChatMessage("user", "What is 2+2?\nAnswer briefly.")]));
    }

    [Fact]
    public void Compose_Conversation_PutsSystemFirstThenLabelledTurnsThenLastMessage()
    {
        var query = QueryComposer.Compose(
        [
            new ChatMessage("user", "Hi, I'm Ana."),
            new ChatMessage("system", "You are terse."),
            new ChatMessage("assistant", "Hello Ana."),
            new ChatMessage("user", "What is my name?"),
        ]);
        Assert.Equal("System: You are terse.\n\nUser: Hi, I'm Ana.\n\nAssistant: Hello Ana.\n\nUser: What is my name?", query);
    }

    [Fact]
    public void Compose_SystemAndUser_IsReadableTextNotJson()
    {
        var query = QueryComposer.Compose([new ChatMessage("developer", "Reply in \"French\"."), new ChatMessage("user", "Good morning")]);
        Assert.Equal("System: Reply in \"French\".\n\nUser: Good morning", query);
        Assert.DoesNotContain("\\\"", query);
        Assert.DoesNotContain("{", query);
    }

    [Fact]
    public void Compose_NamedUserAndToolResult_AreLabelled()
    {
        var query = QueryComposer.Compose([new ChatMessage("user", "weather?", "bob"), new ChatMessage("tool", "21 C")]);
        Assert.Equal("User (bob): weather?\n\nTool result: 21 C", query);
    }
}
