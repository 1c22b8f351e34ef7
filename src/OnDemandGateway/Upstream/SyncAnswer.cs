namespace OnDemandGateway.Upstream;

internal sealed record SyncAnswer(string Answer, TokenMetrics? Metrics);
