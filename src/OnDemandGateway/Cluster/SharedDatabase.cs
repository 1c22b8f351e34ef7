using Npgsql;

namespace OnDemandGateway.Cluster;

/// <summary>The PostgreSQL connections used for shared state (rate windows, credential state, settings), apart
/// from the usage store's pool so that a slow batch write never holds up a rate-limit check. A short connect
/// timeout: when the database is gone, callers learn it in seconds and fall back to local state.</summary>
internal sealed class SharedDatabase : IAsyncDisposable
{
    public SharedDatabase(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!HasExplicit(connectionString, "Timeout")) builder.Timeout = 3;
        // Cancelled statements (the rate limiter's 1.5 s budget) break the connection instead of waiting on a
        // cancel round trip to a server that may be gone.
        if (!HasExplicit(connectionString, "Cancellation Timeout")) builder.CancellationTimeout = -1;
        if (string.IsNullOrEmpty(builder.ApplicationName)) builder.ApplicationName = "ondemand-gateway";
        if (!HasExplicit(connectionString, "Minimum Pool Size")) builder.MinPoolSize = WarmConnections;
        DataSource = NpgsqlDataSource.Create(builder.ConnectionString);
    }

    public NpgsqlDataSource DataSource { get; }

    public ValueTask<NpgsqlConnection> OpenAsync(CancellationToken ct) => DataSource.OpenConnectionAsync(ct);

    private const int WarmConnections = 4;

    /// <summary>Opens a few connections ahead of traffic, so the first burst of rate-limit checks does not pay
    /// for connection set-up inside its short budget (and fall back to per-instance counting).</summary>
    public async Task WarmUpAsync(CancellationToken ct)
    {
        var connections = await Task.WhenAll(Enumerable.Range(0, WarmConnections).Select(_ => OpenAsync(ct).AsTask()));
        foreach (var connection in connections) await connection.DisposeAsync();
    }

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();

    // The base builder keeps only the keys actually written (Npgsql's own builder knows every key).
    private static bool HasExplicit(string connectionString, string key) =>
        new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString }.ContainsKey(key);
}
