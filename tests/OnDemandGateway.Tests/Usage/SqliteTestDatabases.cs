namespace OnDemandGateway.Tests.Usage;

/// <summary>SQLite files under a temp folder; each URL points into a folder that does not exist yet, so the
/// store's directory creation is exercised too.</summary>
internal sealed class SqliteTestDatabases : TestDatabases
{
    private readonly string _root = Directory.CreateTempSubdirectory("odg-usage-").FullName;

    public override string Kind => "sqlite";

    public override Task<string> NewUrlAsync() =>
        Task.FromResult($"sqlite:{Path.Combine(_root, Guid.NewGuid().ToString("N"), "data", "gateway.db")}");

    public override ValueTask DisposeAsync()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { /* a file still open: leave it to the OS */ }
        return ValueTask.CompletedTask;
    }
}
