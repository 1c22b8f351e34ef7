namespace OnDemandGateway.Upstream;

internal readonly record struct UpstreamEvent(UpstreamEventKind Kind, string? Text = null, TokenMetrics? Metrics = null, UpstreamError? Error = null);
