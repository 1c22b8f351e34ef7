namespace OnDemandGateway.Usage.Api;

internal sealed record QueueStatus(int Pending, long Dropped)
{
    public static QueueStatus From(IUsageFlusher? flusher) => flusher is null ? new(0, 0) : new(flusher.Pending, flusher.Dropped);
}
