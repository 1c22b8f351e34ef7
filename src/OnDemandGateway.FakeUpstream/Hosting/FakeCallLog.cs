namespace OnDemandGateway.FakeUpstream.Hosting;

/// <summary>Recorded calls in arrival order; snapshots are copies so tests can enumerate while calls arrive.</summary>
internal sealed class FakeCallLog
{
    private readonly List<FakeCall> _calls = [];

    public void Add(FakeCall call)
    {
        lock (_calls)
        {
            _calls.Add(call);
        }
    }

    public FakeCall[] Snapshot()
    {
        lock (_calls)
        {
            return [.. _calls];
        }
    }
}
