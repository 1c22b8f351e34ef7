namespace OnDemandGateway.Usage;

/// <summary>Sees every record synchronously as it is recorded (in-process counters such as /metrics).
/// Must be cheap and must not throw.</summary>
public interface IUsageObserver
{
    void Observe(UsageRecord record);
}
