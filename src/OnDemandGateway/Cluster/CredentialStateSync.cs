using Npgsql;
using OnDemandGateway.Accounts;

namespace OnDemandGateway.Cluster;

/// <summary>
/// Shares credential state (cooldown deadline, invalid flag, last error) between instances through the
/// <c>credential_state</c> table. The pool's changes are merged into a pending set and published by one
/// background loop (never on the request path); the same loop reads the table every
/// <see cref="PollInterval"/> and applies rows that changed through the pool's own primitives, so a 429 seen by
/// one instance rests that credential on every instance within a second. The database merges field by field
/// (the longest cooldown wins; validity and error follow the latest writer), so every instance converges on the
/// same row. While PostgreSQL is unreachable each instance keeps its own state, pending changes wait, and
/// <c>/health</c> reports the fallback.
/// </summary>
internal sealed partial class CredentialStateSync(
    SharedDatabase database,
    ClusterState cluster,
    IServiceProvider services,
    TimeProvider time,
    ILogger<CredentialStateSync> logger) : BackgroundService, ICredentialStateSync
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);
    public static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(1);

    private const string UpsertSql = """
        INSERT INTO credential_state (credential_id, cooling_until_ms, invalid_since_ms, last_error, updated_at_ms, change_seq)
        VALUES (@id, @cooling, @invalid, @error, @now, nextval('credential_state_seq'))
        ON CONFLICT (credential_id) DO UPDATE SET
            cooling_until_ms = GREATEST(credential_state.cooling_until_ms, EXCLUDED.cooling_until_ms),
            invalid_since_ms = CASE WHEN @validity THEN EXCLUDED.invalid_since_ms ELSE credential_state.invalid_since_ms END,
            last_error = COALESCE(EXCLUDED.last_error, credential_state.last_error),
            updated_at_ms = EXCLUDED.updated_at_ms,
            change_seq = EXCLUDED.change_seq
        """;

    private const string ReadSql = """
        SELECT credential_id, cooling_until_ms, invalid_since_ms, last_error, change_seq
        FROM credential_state WHERE credential_id = ANY(@ids)
        """;

    private readonly Lock _gate = new();
    private Dictionary<int, CredentialChange> _pending = [];
    private TaskCompletionSource _wake = NewSignal();
    private readonly Dictionary<string, long> _applied = new(StringComparer.Ordinal);
    private Dictionary<string, CredentialState>? _byId;
    private string[] _ids = [];
    private string[] _idByIndex = [];

    public void Publish(CredentialState credential, CredentialChange change)
    {
        lock (_gate)
            _pending[credential.Index] = _pending.TryGetValue(credential.Index, out var earlier) ? earlier.Merge(change) : change;
        Wake();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Resolved here, not injected: the pool itself depends on this sync (it publishes through it).
        var pool = services.GetRequiredService<CredentialPool>();
        _idByIndex = [.. pool.Credentials.Select(c => CredentialIdentity.Of(c.Options))];
        _byId = pool.Credentials.ToDictionary(c => _idByIndex[c.Index], StringComparer.Ordinal);
        _ids = _idByIndex;
        if (_ids.Length == 0) return;

        while (!stoppingToken.IsCancellationRequested)
        {
            // Taken before the work: a change published while we write or read completes it, so it is not missed.
            var signal = Volatile.Read(ref _wake);
            if (signal.Task.IsCompleted) Volatile.Write(ref _wake, signal = NewSignal()); // only this loop swaps it
            var wait = PollInterval;
            if (cluster.Schema.IsShared)
            {
                try
                {
                    await using var connection = await database.OpenAsync(stoppingToken);
                    await PublishPendingAsync(connection, stoppingToken);
                    await PollAsync(connection, stoppingToken);
                    if (cluster.Credentials.Recover(time.GetUtcNow())) LogRestored();
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    var error = $"{ex.GetType().Name}: {ex.Message}";
                    if (cluster.Credentials.Fail(error, time.GetUtcNow())) LogFallback(error);
                    wait = RetryAfterFailure;
                }
            }
            try
            {
                await signal.Task.WaitAsync(wait, time, stoppingToken);
            }
            catch (TimeoutException)
            {
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private async Task PublishPendingAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        Dictionary<int, CredentialChange> taken;
        lock (_gate)
        {
            if (_pending.Count == 0) return;
            taken = _pending;
            _pending = [];
        }
        try
        {
            await using var tx = await connection.BeginTransactionAsync(ct);
            // One order for every instance: concurrent publishers lock rows the same way round (no deadlock).
            foreach (var (index, change) in taken.Select(p => (p.Key, p.Value)).OrderBy(p => _idByIndex[p.Key], StringComparer.Ordinal))
            {
                await using var command = new NpgsqlCommand(UpsertSql, connection, tx);
                command.Parameters.AddWithValue("id", _idByIndex[index]);
                command.Parameters.AddWithValue("cooling", change.CoolingUntil?.ToUnixTimeMilliseconds() ?? 0L);
                command.Parameters.AddWithValue("invalid", NpgsqlTypes.NpgsqlDbType.Bigint, (object?)change.InvalidSince?.ToUnixTimeMilliseconds() ?? DBNull.Value);
                command.Parameters.AddWithValue("error", NpgsqlTypes.NpgsqlDbType.Text, (object?)Clean(change.LastError) ?? DBNull.Value);
                command.Parameters.AddWithValue("now", time.GetUtcNow().ToUnixTimeMilliseconds());
                command.Parameters.AddWithValue("validity", change.ValidityChanged);
                await command.ExecuteNonQueryAsync(ct);
            }
            await tx.CommitAsync(ct);
        }
        catch
        {
            // Put them back in front of anything published meanwhile, so nothing is lost across an outage.
            lock (_gate)
            {
                foreach (var (index, later) in _pending) taken[index] = taken.TryGetValue(index, out var earlier) ? earlier.Merge(later) : later;
                _pending = taken;
            }
            throw;
        }
    }

    private async Task PollAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(ReadSql, connection);
        command.Parameters.AddWithValue("ids", _ids);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var id = reader.GetString(0);
            var version = reader.GetInt64(4);
            if (_applied.TryGetValue(id, out var seen) && seen == version) continue;
            _applied[id] = version;
            Apply(_byId![id], reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetInt64(2), reader.IsDBNull(3) ? null : reader.GetString(3));
        }
    }

    /// <summary>Applies the shared row through the same primitives the pool uses: cooldowns only extend, the
    /// invalid flag follows the row, the error text is copied without counting a failure here.</summary>
    private static void Apply(CredentialState credential, long coolingUntilMs, long? invalidSinceMs, string? lastError)
    {
        if (coolingUntilMs > 0) credential.CoolDownUntil(DateTimeOffset.FromUnixTimeMilliseconds(coolingUntilMs));
        if (invalidSinceMs is { } since) credential.MarkInvalid(DateTimeOffset.FromUnixTimeMilliseconds(since));
        else if (credential.IsInvalid) credential.MarkValid();
        if (lastError is not null) credential.ApplyLastError(lastError);
    }

    private void Wake() => Volatile.Read(ref _wake).TrySetResult();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static string? Clean(string? value) => value?.Replace("\0", "", StringComparison.Ordinal);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shared credential state unavailable ({Error}): cooldowns and invalid credentials are now tracked per instance; changes are kept and published when PostgreSQL answers again")]
    private partial void LogFallback(string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shared credential state restored: cooldowns and invalid credentials are shared through PostgreSQL again")]
    private partial void LogRestored();
}
