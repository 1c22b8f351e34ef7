namespace OnDemandGateway.Upstream;

/// <summary>The upstream's own token counts (metricsLog or sync <c>data.metrics</c>).</summary>
internal readonly record struct TokenMetrics(int InputTokens, int OutputTokens);
