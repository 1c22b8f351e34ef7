namespace OnDemandGateway.Usage;

/// <summary>Takes usage records from the request path. Never blocks; never throws.</summary>
public interface IUsageSink
{
    void Record(UsageRecord record);
}
