namespace OnDemandGateway.Usage;

/// <summary>Stand-in sink until usage storage is registered: drops records.</summary>
internal sealed class DiscardingUsageSink : IUsageSink
{
    public void Record(UsageRecord record)
    {
    }
}
