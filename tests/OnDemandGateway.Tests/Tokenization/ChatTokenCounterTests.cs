using System.Text.Json;
using OnDemandGateway.Tokenization;

namespace OnDemandGateway.Tests.Tokenization;

public sealed class ChatTokenCounterTests
{
    public static TheoryData<string, int> Examples()
    {
        var data = new TheoryData<string, int>();
        for (var i = 0; i < TokenizerVectors.Chats.Count; i++)
        {
            data.Add("o200k_base", i);
            data.Add("cl100k_base", i);
        }
        return data;
    }

    [Fact]
    public void Examples_FileHasAllCases_Six() => Assert.Equal(6, TokenizerVectors.Chats.Count);

    [Theory]
    [MemberData(nameof(Examples))]
    public void CountPrompt_ReferenceExample_MatchesCookbookTotal(string encodingName, int index)
    {
        var example = TokenizerVectors.Chats[index];
        var encoding = TokenizerVectors.Encoding(encodingName);
        var messages = example.GetProperty("messages").EnumerateArray()
            .Select(m => new ChatTokenMessage(
                m.GetProperty("role").GetString()!,
                m.GetProperty("content").GetString()!,
                m.TryGetProperty("name", out var name) ? name.GetString() : null))
            .ToList();

        var total = ChatTokenCounter.CountPrompt(messages, encoding);
        if (example.TryGetProperty("tools", out var tools))
        {
            total += ChatTokenCounter.CountTools(tools, encoding);
        }

        Assert.Equal(example.GetProperty(encodingName).GetProperty("total").GetInt32(), total);
    }

    [Fact]
    public void CountPrompt_NoMessages_OnlyReplyPriming() =>
        Assert.Equal(3, ChatTokenCounter.CountPrompt([], TiktokenEncoding.O200kBase));

    [Fact]
    public void CountPrompt_NameGiven_AddsNameTokensPlusOne()
    {
        var without = ChatTokenCounter.CountPrompt([new("user", "Hi there")], TiktokenEncoding.O200kBase);
        var with = ChatTokenCounter.CountPrompt([new("user", "Hi there", "example_user")], TiktokenEncoding.O200kBase);
        Assert.Equal(TiktokenEncoding.O200kBase.CountTokens("example_user") + 1, with - without);
    }

    [Fact]
    public void CountCompletion_Text_IsTokenCount() =>
        Assert.Equal(TiktokenEncoding.Cl100kBase.Encode("The capital of France is Paris.").Length,
            ChatTokenCounter.CountCompletion("The capital of France is Paris.", TiktokenEncoding.Cl100kBase));

    [Theory]
    [InlineData("[]")]
    [InlineData("null")]
    [InlineData("{}")]
    public void CountTools_NoTools_Zero(string json) =>
        Assert.Equal(0, ChatTokenCounter.CountTools(JsonDocument.Parse(json).RootElement, TiktokenEncoding.O200kBase));

    [Fact]
    public void CountTools_MalformedTool_CountsWhatItCanWithoutThrowing()
    {
        var tools = JsonDocument.Parse("""[{"type":"function","function":{"name":"f","parameters":{"properties":{"x":5}}}}, 3]""").RootElement;
        Assert.InRange(ChatTokenCounter.CountTools(tools, TiktokenEncoding.O200kBase), 12 + 7 + 1, 100);
    }
}
