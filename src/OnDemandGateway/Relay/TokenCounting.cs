using OnDemandGateway.OpenAi;
using OnDemandGateway.Upstream;
using OnDemandGateway.Usage;

namespace OnDemandGateway.Relay;

/// <summary>Decides the usage numbers: the upstream's own counts when it sent them, otherwise our count.</summary>
internal static class TokenCounting
{
    public static TokenCount Decide(string model, IReadOnlyList<ChatMessage> messages, string completion, TokenMetrics? upstream, bool partial)
    {
        if (upstream is { } metrics && !partial) return new TokenCount(metrics.InputTokens, metrics.OutputTokens, TokenSource.Upstream);
        return new TokenCount(CountPrompt(model, messages), CountCompletion(model, completion), partial ? TokenSource.Partial : TokenSource.Estimated);
    }

    // Interim estimate (≈4 characters per token) until the tiktoken port lands.
    public static int CountPrompt(string model, IReadOnlyList<ChatMessage> messages)
    {
        var total = 3;
        foreach (var message in messages) total += 3 + 1 + Estimate(message.Content) + (message.Name is null ? 0 : 1 + Estimate(message.Name));
        return total;
    }

    public static int CountCompletion(string model, string text) => Estimate(text);

    private static int Estimate(string text) => (text.Length + 3) / 4;
}
