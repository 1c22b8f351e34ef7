namespace OnDemandGateway.Tests.Usage;

/// <summary>Hands out fresh, empty databases of one kind as DATABASE_URL values; cleans them up after.</summary>
internal abstract class TestDatabases : IAsyncDisposable
{
    public abstract string Kind { get; }
    public abstract Task<string> NewUrlAsync();
    public abstract ValueTask DisposeAsync();
}
