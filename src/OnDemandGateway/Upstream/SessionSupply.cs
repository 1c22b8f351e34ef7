using OnDemandGateway.Accounts;
using OnDemandGateway.Configuration;

namespace OnDemandGateway.Upstream;

/// <summary>Hands out a fresh upstream session per request: from the credential's reserve when one is ready
/// (no extra round trip), otherwise created on the spot. The relay calls <see cref="Refill"/> once its own query
/// is on its way, which tops the reserve up in the background with as many creations in flight as it is short,
/// so under concurrent load the refill keeps pace with the requests instead of creating one session per round trip.</summary>
internal sealed partial class SessionSupply(OnDemandClient client, GatewayOptions options, IHostApplicationLifetime lifetime, ILogger<SessionSupply> logger)
{
    /// <summary>How far a busy credential's reserve may grow past <see cref="GatewayOptions.SessionPoolSize"/>:
    /// about one session per concurrent request, bounded so an idle restart wastes few upstream sessions.</summary>
    internal const int MaxReserve = 256;

    private long _fromReserve, _createdInline;

    public SessionSupplyCounts Counts => new(Interlocked.Read(ref _fromReserve), Interlocked.Read(ref _createdInline));

    public async ValueTask<UpstreamResult<string>> TakeAsync(CredentialState credential, CancellationToken cancellationToken)
    {
        if (credential.Sessions.TryTake(out var sessionId))
        {
            Interlocked.Increment(ref _fromReserve);
            return UpstreamResult<string>.Ok(sessionId);
        }
        Interlocked.Increment(ref _createdInline);
        if (options.SessionPoolSize > 0) credential.Sessions.RecordMiss(options.SessionPoolSize, Ceiling);
        var created = await client.CreateSessionAsync(credential, cancellationToken);
        if (created.IsSuccess) credential.Sessions.Resume();
        return created;
    }

    private int Ceiling => options.MaxConcurrencyPerCredential > 0
        ? Math.Max(options.SessionPoolSize, Math.Min(MaxReserve, options.MaxConcurrencyPerCredential))
        : Math.Max(options.SessionPoolSize, MaxReserve);

    /// <summary>Most sessions created with one round trip (pipelined on one upstream connection).</summary>
    internal const int MaxBatch = 16;

    /// <summary>Tops the reserve up to its target, in batches of up to <see cref="MaxBatch"/> creations that
    /// share one round trip. A failed creation pauses the refill until a request creates a session itself (the
    /// next request will try; a failing credential is never hammered from here).</summary>
    public void Refill(CredentialState credential)
    {
        if (options.SessionPoolSize <= 0) return;
        var count = credential.Sessions.ClaimCreations(options.SessionPoolSize);
        while (count > 0)
        {
            var batch = Math.Min(count, MaxBatch);
            _ = CreateIntoReserveAsync(credential, batch);
            count -= batch;
        }
    }

    private async Task CreateIntoReserveAsync(CredentialState credential, int count)
    {
        var ended = 0;
        try
        {
            // Off the request's flow: the caller goes on with its own query at once.
            await Task.Yield();
            var stopping = lifetime.ApplicationStopping;
            if (stopping.IsCancellationRequested) return;
            var created = await client.CreateSessionsAsync(credential, count, stopping);
            var failed = false;
            foreach (var result in created)
            {
                ended++;
                credential.Sessions.EndCreation(result.IsSuccess ? result.Value : null);
                if (!result.IsSuccess && !failed)
                {
                    failed = true;
                    LogRefillFailed(logger, credential.Id, result.Error!.ToString());
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e)
        {
            LogRefillFailed(logger, credential.Id, e.GetType().Name);
        }
        finally
        {
            for (; ended < count; ended++) credential.Sessions.EndCreation(null);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not pre-create a session for {Credential}: {Error}")]
    private static partial void LogRefillFailed(ILogger logger, string credential, string error);
}
