namespace OnDemandGateway.Upstream.Http;

/// <summary>One request header sent upstream (credentials, company and user ids).</summary>
internal readonly record struct UpstreamHeader(string Name, string Value);
