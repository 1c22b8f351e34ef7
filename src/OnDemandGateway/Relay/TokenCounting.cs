using OnDemandGateway.OpenAi;
using OnDemandGateway.Tokenization;
using OnDemandGateway.Upstream;
using OnDemandGateway.Usage;

namespace OnDemandGateway.Relay;

/// <summary>Decides the usage numbers: the upstream's own counts when it sent them, otherwise our tiktoken count
/// (exact for OpenAI models, an o200k estimate for models with no public tokenizer). Called once per request,
/// after the last delta, never per delta.</summary>
internal static class TokenCounting
{
    public static TokenCount Decide(string model, IReadOnlyList<ChatMessage> messages, string completion, TokenMetrics? upstream, bool partial)
    {
        if (upstream is { } metrics && !partial) return new TokenCount(metrics.InputTokens, metrics.OutputTokens, TokenSource.Upstream);
        var encoding = TokenizerCatalog.ForModel(model).Encoding;
        return new TokenCount(CountPrompt(encoding, messages), ChatTokenCounter.CountCompletion(completion, encoding), partial ? TokenSource.Partial : TokenSource.Estimated);
    }

    private static int CountPrompt(TiktokenEncoding encoding, IReadOnlyList<ChatMessage> messages)
    {
        var converted = new ChatTokenMessage[messages.Count];
        for (var i = 0; i < converted.Length; i++) converted[i] = new ChatTokenMessage(messages[i].Role, messages[i].Content, messages[i].Name);
        return ChatTokenCounter.CountPrompt(converted, encoding);
    }
}
