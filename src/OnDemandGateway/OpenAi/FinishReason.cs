using OnDemandGateway.Relay;

namespace OnDemandGateway.OpenAi;

/// <summary>Why an answer ended, for <c>finish_reason</c>. on-demand.io says nothing about it, so an answer whose
/// completion tokens reach the request's <c>max_tokens</c> (which the query passes on as <c>maxTokens</c>) is taken
/// as cut by that limit, <c>"length"</c>, as OpenAI reports it; any other complete answer is <c>"stop"</c>. Clients
/// use "length" to ask for a continuation. The count is the upstream's when it sent one, else the gateway's own.</summary>
internal static class FinishReason
{
    public static bool CutAtLimit(int? maxTokens, TokenCount usage) => maxTokens is { } limit && usage.CompletionTokens >= limit;
}
