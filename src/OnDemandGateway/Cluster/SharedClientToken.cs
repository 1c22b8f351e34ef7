using Npgsql;
using OnDemandGateway.Configuration;

namespace OnDemandGateway.Cluster;

/// <summary>
/// The generated client token when several instances share PostgreSQL: the first instance stores it in
/// <c>gateway_settings</c> (<c>INSERT ... ON CONFLICT DO NOTHING</c>, then read back), every other instance reads
/// the same one. An instance that already had a token in <c>DATA_DIR</c> offers that one, so switching an existing
/// gateway to PostgreSQL keeps its token. Runs before the host exists, hence synchronous. When the database
/// cannot be reached the instance starts anyway with its local copy (<see cref="ClientTokenOrigins.Local"/>),
/// and <see cref="ClusterMaintenance"/> reconciles once the database is back.
/// </summary>
internal static class SharedClientToken
{
    public const string SettingName = "generated_client_token";

    public static (string Token, bool Created, string Origin) LoadOrCreate(string connectionString, string dataDir, TimeProvider time)
    {
        var local = GeneratedClientToken.TryRead(dataDir);
        string shared;
        bool inserted;
        var candidate = local ?? GeneratedClientToken.NewToken();
        try
        {
            using var dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { Timeout = 5, Pooling = false }.ConnectionString);
            using var connection = dataSource.OpenConnection();
            ClusterSchema.Ensure(connection);
            (shared, inserted) = Offer(connection, candidate, time);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            var (token, created) = GeneratedClientToken.LoadOrCreate(dataDir);
            return (token, created, ClientTokenOrigins.Local);
        }
        if (shared != local) GeneratedClientToken.Write(dataDir, shared, replace: true);
        return (shared, inserted && local is null, ClientTokenOrigins.Shared);
    }

    /// <summary>Stores <paramref name="candidate"/> unless a token is already shared.</summary>
    /// <returns>The shared token, and whether it is the candidate just stored.</returns>
    public static (string Token, bool Inserted) Offer(NpgsqlConnection connection, string candidate, TimeProvider time)
    {
        using (var insert = new NpgsqlCommand(
            "INSERT INTO gateway_settings (name, value, updated_at_ms) VALUES (@name, @value, @now) ON CONFLICT (name) DO NOTHING", connection))
        {
            insert.Parameters.AddWithValue("name", SettingName);
            insert.Parameters.AddWithValue("value", candidate);
            insert.Parameters.AddWithValue("now", time.GetUtcNow().ToUnixTimeMilliseconds());
            if (insert.ExecuteNonQuery() == 1) return (candidate, true);
        }
        using var select = new NpgsqlCommand("SELECT value FROM gateway_settings WHERE name = @name", connection);
        select.Parameters.AddWithValue("name", SettingName);
        return ((string)select.ExecuteScalar()!, false);
    }
}
