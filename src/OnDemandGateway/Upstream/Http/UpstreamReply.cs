namespace OnDemandGateway.Upstream.Http;

/// <summary>The whole answer to one request of a pipelined batch: its head and body, or why there is none.</summary>
internal sealed record UpstreamReply(ResponseHead? Head, byte[]? Body, Exception? Failure)
{
    public static UpstreamReply Failed(Exception failure) => new(null, null, failure);
}
