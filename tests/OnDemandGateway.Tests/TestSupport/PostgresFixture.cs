using Npgsql;

namespace OnDemandGateway.Tests.TestSupport;

/// <summary>Class fixture handing each test a fresh, empty PostgreSQL database (random name) on the test
/// server; every database it created is dropped when the class is done. Fails loudly, never skips, when
/// no PostgreSQL is available.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private readonly List<string> _databases = [];
    private string? _server;
    private Exception? _unavailable;

    public async Task InitializeAsync()
    {
        try { _server = await PostgresServer.ConnectionStringAsync(); }
        catch (Exception ex) { _unavailable = ex; }
    }

    /// <summary>Creates a database and returns an Npgsql connection string for it.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        if (_server is null)
            throw new InvalidOperationException($"PostgreSQL tests need a server. {_unavailable?.Message}", _unavailable);
        var name = "odg_test_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(_server))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }
        lock (_databases) _databases.Add(name);
        return new NpgsqlConnectionStringBuilder(_server) { Database = name, Pooling = true }.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        if (_server is null) return;
        await using var connection = new NpgsqlConnection(_server);
        await connection.OpenAsync();
        foreach (var name in _databases)
        {
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync();
        }
    }
}
