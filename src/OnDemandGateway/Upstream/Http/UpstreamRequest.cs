namespace OnDemandGateway.Upstream.Http;

/// <summary>One POST of a pipelined batch (<see cref="UpstreamHttpClient.PostPipelinedAsync"/>).</summary>
internal sealed record UpstreamRequest(string Path, UpstreamHeader[] Headers, ReadOnlyMemory<byte> Body);
