using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace OnDemandGateway.Usage.Storage;

/// <summary>The default store: one SQLite file in WAL mode (readers never block the writer).</summary>
internal sealed class SqliteUsageStore : SqlUsageStore, IDisposable
{
    private readonly string _connectionString;
    // The single writer's connection and prepared statements, kept between batches; guarded by _writerLock.
    private readonly Lock _writerLock = new();
    private SqliteBatchWriter? _writer;

    public SqliteUsageStore(string path, TimeProvider time, ILogger<SqliteUsageStore> logger)
        : base(SqlDialect.Sqlite, time, logger)
    {
        Path = System.IO.Path.GetFullPath(path);
        var directory = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string Path { get; }

    public override string Kind => "sqlite";

    // Microsoft.Data.Sqlite opens synchronously underneath its async API, so both paths share one opener.
    protected override Task<DbConnection> OpenAsync(CancellationToken ct)
    {
        if (ct.IsCancellationRequested) return Task.FromCanceled<DbConnection>(ct);
        try
        {
            return Task.FromResult<DbConnection>(OpenConnection());
        }
        catch (Exception ex)
        {
            return Task.FromException<DbConnection>(ex);
        }
    }

    // Per-connection settings. NORMAL in WAL mode survives a process crash (kill -9) and only risks
    // the last commits on an OS crash / power loss, at a fraction of FULL's fsync cost.
    private const string ConnectionSettings = "PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000;";

    /// <summary>Writes through one long-lived connection with prepared statements (SQLite is in-process: opening
    /// a connection and preparing statements per batch cost more than the rows). Synchronous underneath, like
    /// every Microsoft.Data.Sqlite call; callers are serialised, which SQLite's single write lock does anyway.</summary>
    public override Task WriteAsync(IReadOnlyList<UsageRecord> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0) return Task.CompletedTask;
        if (cancellationToken.IsCancellationRequested) return Task.FromCanceled(cancellationToken);
        int duplicates;
        try
        {
            lock (_writerLock)
            {
                _writer ??= new SqliteBatchWriter(OpenConnection());
                try
                {
                    duplicates = _writer.Write(batch);
                }
                catch
                {
                    // Whatever failed (disk full, I/O error, a locked file), the next batch starts from a fresh connection.
                    _writer.Dispose();
                    _writer = null;
                    throw;
                }
            }
        }
        catch (Exception ex)
        {
            return Task.FromException(ex);
        }
        if (duplicates > 0) LogDuplicates(duplicates);
        return Task.CompletedTask;
    }

    /// <summary>An open connection with <see cref="ConnectionSettings"/> applied.</summary>
    private SqliteConnection OpenConnection()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = ConnectionSettings;
            command.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    protected override async Task BeforeMigrationAsync(DbConnection connection, CancellationToken ct) =>
        // Persistent in the file, and cannot be changed inside a transaction, so set once before migrating.
        await Db.ExecuteAsync(connection, null, "PRAGMA journal_mode = WAL;", ct);

    // BEGIN IMMEDIATE takes the write lock up front: no read-then-upgrade deadlock between writers, and the
    // busy timeout makes a second migrator or writer wait for the first.
    protected override Task<DbTransaction> BeginExclusiveAsync(DbConnection connection, CancellationToken ct) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));

    protected override Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken ct) =>
        BeginExclusiveAsync(connection, ct);

    protected override Task<DbTransaction> BeginReadAsync(DbConnection connection, CancellationToken ct) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(IsolationLevel.Serializable, deferred: true));

    /// <summary>Closes pooled connections so the file can be deleted or moved.</summary>
    public void Dispose()
    {
        lock (_writerLock)
        {
            _writer?.Dispose();
            _writer = null;
        }
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }
}
