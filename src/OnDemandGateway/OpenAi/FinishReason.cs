using OnDemandGateway.Relay;
using OnDemandGateway.Tokenization;
using OnDemandGateway.Usage;

namespace OnDemandGateway.OpenAi;

/// <summary>Why an answer ended, for <c>finish_reason</c>. on-demand.io says nothing about it, so an answer whose
/// completion tokens reach the request's <c>max_tokens</c> (which the query passes on as <c>maxTokens</c>) is taken
/// as cut by that limit, <c>"length"</c>, as OpenAI reports it; any other complete answer is <c>"stop"</c>. Clients
/// use "length" to ask for a continuation, so it is said only on a count that is the model's own: the upstream's,
/// or the gateway's where its tokenizer is the model's (OpenAI models). An o200k estimate of another model's answer
/// can land on either side of the limit, and a wrong "length" would make a client ask for more of a whole answer.</summary>
internal static class FinishReason
{
    public static bool CutAtLimit(int? maxTokens, TokenCount usage, string model) =>
        maxTokens is { } limit && usage.CompletionTokens >= limit
        && (usage.Source == TokenSource.Upstream || (usage.Source == TokenSource.Estimated && TokenizerCatalog.ForModel(model).Exact));
}
