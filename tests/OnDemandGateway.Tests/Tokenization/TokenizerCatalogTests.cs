using OnDemandGateway.Tokenization;

namespace OnDemandGateway.Tests.Tokenization;

public sealed class TokenizerCatalogTests
{
    [Theory]
    [InlineData("gpt-4o")]
    [InlineData("gpt-4o-mini")]
    [InlineData("GPT-4o-2024-08-06")]
    [InlineData("chatgpt-4o-latest")]
    [InlineData("gpt-4.1")]
    [InlineData("gpt-4.1-nano")]
    [InlineData("gpt-5")]
    [InlineData("gpt-5-mini")]
    [InlineData("o1")]
    [InlineData("o1-mini")]
    [InlineData("o3")]
    [InlineData("o3-pro")]
    [InlineData("o4-mini")]
    [InlineData("openai/gpt-4o")]
    [InlineData("ft:gpt-4o-mini:acme::abc123")]
    public void ForModel_O200kModels_ExactO200k(string model)
    {
        var (encoding, exact) = TokenizerCatalog.ForModel(model);
        Assert.Same(TiktokenEncoding.O200kBase, encoding);
        Assert.True(exact);
    }

    [Theory]
    [InlineData("gpt-4")]
    [InlineData("GPT-4")]
    [InlineData("gpt-4-turbo")]
    [InlineData("gpt-4-0613")]
    [InlineData("gpt-3.5-turbo")]
    [InlineData("gpt-3.5-turbo-16k")]
    [InlineData("openai/gpt-3.5-turbo")]
    public void ForModel_Cl100kModels_ExactCl100k(string model)
    {
        var (encoding, exact) = TokenizerCatalog.ForModel(model);
        Assert.Same(TiktokenEncoding.Cl100kBase, encoding);
        Assert.True(exact);
    }

    [Theory]
    [InlineData("claude-3-5-sonnet")]
    [InlineData("anthropic/claude-sonnet-4")]
    [InlineData("gemini-2.0-flash")]
    [InlineData("deepseek-chat")]
    [InlineData("grok-3")]
    [InlineData("predefined-openai-gpt4o")]
    [InlineData("predefined-claude-3.7-sonnet")]
    [InlineData("o10-experimental")]
    [InlineData("gpt-4x")]
    [InlineData("")]
    [InlineData(null)]
    public void ForModel_OtherModels_EstimatedWithO200k(string? model)
    {
        var (encoding, exact) = TokenizerCatalog.ForModel(model);
        Assert.Same(TiktokenEncoding.O200kBase, encoding);
        Assert.False(exact);
    }
}
