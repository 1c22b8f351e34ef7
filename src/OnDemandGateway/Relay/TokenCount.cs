using OnDemandGateway.Usage;

namespace OnDemandGateway.Relay;

/// <summary>The token counts returned to the client and recorded, with where they came from.</summary>
internal readonly record struct TokenCount(int PromptTokens, int CompletionTokens, TokenSource Source);
