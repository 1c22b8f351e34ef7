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

    /// <summary>Tops the reserve up to its target. A failed creation pauses the refill until a request creates
    /// a session itself (the next request will try; a failing credential is never hammered from here).</summary>
    public void Refill(CredentialState credential)
    {
        if (options.SessionPoolSize <= 0) return;
        var count = credential.Sessions.ClaimCreations(options.SessionPoolSize);
        for (var i = 0; i < count; i++) _ = CreateIntoReserveAsync(credential);
    }

    private async Task CreateIntoReserveAsync(CredentialState credential)
    {
        string? sessionId = null;
        try
        {
            // Off the request's flow: the caller goes on with its own query at once.
            await Task.Yield();
            var stopping = lifetime.ApplicationStopping;
            if (stopping.IsCancellationRequested) return;
            var created = await client.CreateSessionAsync(credential, stopping);
            if (created.IsSuccess) sessionId = created.Value;
            else LogRefillFailed(logger, credential.Id, created.Error!.ToString());
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
            credential.Sessions.EndCreation(sessionId);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not pre-create a session for {Credential}: {Error}")]
    private static partial void LogRefillFailed(ILogger logger, string credential, string error);
}
