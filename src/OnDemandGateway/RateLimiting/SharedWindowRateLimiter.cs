using Npgsql;
using OnDemandGateway.Auth;
using OnDemandGateway.Cluster;
using OnDemandGateway.Configuration;

namespace OnDemandGateway.RateLimiting;

/// <summary>
/// Per-key requests per minute counted in PostgreSQL, so N instances together admit exactly the limit: one
/// atomic statement per request increments the key's current window only while it is below the limit (no
/// read-then-write race; no row back means refused). The database gets <see cref="Budget"/> per request; a request
/// it fails is limited locally; after <see cref="FailuresToOpen"/> failures in a row a <see cref="CircuitBreaker"/> sends requests to the in-memory
/// <see cref="FixedWindowRateLimiter"/> (each instance then limits on its own), <c>/health</c> says so, and a
/// background probe (or a trial request) every <see cref="RetryAfterFailure"/> finds out when the database is back.
/// </summary>
internal sealed partial class SharedWindowRateLimiter(
    SharedDatabase database,
    FixedWindowRateLimiter local,
    ClusterState cluster,
    GatewayOptions options,
    TimeProvider time,
    ILogger<SharedWindowRateLimiter> logger) : IRateLimitPolicy, IDisposable
{
    // Long enough for a loaded database host, short enough that an outage never stalls a request for long.
    public static readonly TimeSpan Budget = TimeSpan.FromMilliseconds(1500);
    public static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(2);

    private const string AdmitSql = """
        INSERT INTO rate_windows (client_key, window_start_ms, count) VALUES (@key, @window, 1)
        ON CONFLICT (client_key, window_start_ms) DO UPDATE SET count = rate_windows.count + 1
        WHERE rate_windows.count < @limit
        RETURNING count
        """;

    public const int FailuresToOpen = 3;

    private readonly CircuitBreaker _breaker = new(time, RetryAfterFailure, FailuresToOpen);
    private readonly CancellationTokenSource _disposed = new();
    private int _probing;

    public string Name => "shared-fixed-window-per-minute";

    public async ValueTask<RateLimitDecision> AcquireAsync(ClientKey key, CancellationToken cancellationToken)
    {
        var limit = key.RateLimitPerMinute ?? options.RateLimitPerMinute;
        if (limit <= 0) return RateLimitDecision.Unlimited;
        // Until the schema exists (database unreachable at start) there is nothing to count in.
        if (!cluster.Schema.IsShared || !_breaker.TryEnter()) return await local.AcquireAsync(key, cancellationToken);

        var now = time.GetUtcNow();
        var windowStart = now.ToUnixTimeSeconds() / 60 * 60;
        var reset = DateTimeOffset.FromUnixTimeSeconds(windowStart + 60);
        var admit = AdmitAsync(key.Name, windowStart * 1000, limit);
        try
        {
            // WaitAsync bounds the wait even if the driver is slow to notice a dead server; the statement
            // itself is cancelled by the same budget inside AdmitAsync.
            var count = await admit.WaitAsync(Budget, time, cancellationToken);
            _breaker.Succeeded();
            if (!cluster.RateLimit.IsShared && cluster.RateLimit.Recover(time.GetUtcNow())) LogRestored();
            return count is { } admitted
                ? new RateLimitDecision(true, limit, Math.Max(0, limit - admitted), reset)
                : new RateLimitDecision(false, limit, 0, reset);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            _ = admit.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default); // observed, never rethrown
            var error = ex is TimeoutException ? $"no answer within {Budget.TotalMilliseconds} ms" : $"{ex.GetType().Name}: {ex.Message}";
            // This request falls back; the instance as a whole only once the breaker opens (failures in a row).
            if (_breaker.Failed() && cluster.RateLimit.Fail(error, time.GetUtcNow())) LogFallback(error);
            // Idle instances must notice the recovery too, not only the next request after it.
            if (!_breaker.IsClosed && Interlocked.Exchange(ref _probing, 1) == 0) _ = Task.Run(ProbeUntilBackAsync, CancellationToken.None);
            return await local.AcquireAsync(key, cancellationToken);
        }
    }

    private async Task ProbeUntilBackAsync()
    {
        var stop = _disposed.Token;
        try
        {
            while (!_breaker.IsClosed)
            {
                await Task.Delay(RetryAfterFailure, time, stop);
                try
                {
                    using var budget = CancellationTokenSource.CreateLinkedTokenSource(stop);
                    budget.CancelAfter(Budget * 4);
                    await using var connection = await database.OpenAsync(budget.Token);
                    await using var command = new NpgsqlCommand("SELECT count(*) FROM rate_windows WHERE false", connection);
                    await command.ExecuteScalarAsync(budget.Token);
                    _breaker.Succeeded();
                    if (cluster.RateLimit.Recover(time.GetUtcNow())) LogRestored();
                }
                catch (Exception) when (!stop.IsCancellationRequested)
                {
                    // still down: the breaker stays open, requests keep the local limiter
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            Volatile.Write(ref _probing, 0);
        }
    }

    public void Dispose() => _disposed.Cancel();

    /// <returns>The key's count in the window including this request, or null when the limit was reached.</returns>
    private async Task<int?> AdmitAsync(string key, long windowStartMs, int limit)
    {
        using var budget = new CancellationTokenSource(Budget, time);
        await using var connection = await database.OpenAsync(budget.Token);
        await using var command = new NpgsqlCommand(AdmitSql, connection);
        command.Parameters.AddWithValue("key", key);
        command.Parameters.AddWithValue("window", windowStartMs);
        command.Parameters.AddWithValue("limit", limit);
        var result = await command.ExecuteScalarAsync(budget.Token);
        return result is null or DBNull ? null : Convert.ToInt32(result, System.Globalization.CultureInfo.InvariantCulture);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shared rate limiting unavailable ({Error}): each instance now limits on its own until PostgreSQL answers again")]
    private partial void LogFallback(string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shared rate limiting restored: windows are counted in PostgreSQL again")]
    private partial void LogRestored();
}
