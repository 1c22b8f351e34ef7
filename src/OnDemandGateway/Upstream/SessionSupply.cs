using OnDemandGateway.Accounts;
using OnDemandGateway.Configuration;

namespace OnDemandGateway.Upstream;

/// <summary>Hands out a fresh upstream session per request: from the credential's reserve when one is ready
/// (no extra round trip), otherwise created on the spot. Taking one tops the reserve up in the background.</summary>
internal sealed partial class SessionSupply(OnDemandClient client, GatewayOptions options, IHostApplicationLifetime lifetime, ILogger<SessionSupply> logger)
{
    public async ValueTask<UpstreamResult<string>> TakeAsync(CredentialState credential, CancellationToken cancellationToken)
    {
        if (credential.Sessions.TryTake(out var sessionId))
        {
            Refill(credential);
            return UpstreamResult<string>.Ok(sessionId);
        }
        var created = await client.CreateSessionAsync(credential, cancellationToken);
        if (created.IsSuccess) Refill(credential);
        return created;
    }

    /// <summary>Tops the reserve up to <see cref="GatewayOptions.SessionPoolSize"/>, one refill at a time per
    /// credential, stopping at the first failure (the next request will try again; a failing credential is
    /// never hammered from here).</summary>
    public void Refill(CredentialState credential)
    {
        if (options.SessionPoolSize <= 0 || credential.Sessions.Count >= options.SessionPoolSize) return;
        if (!credential.Sessions.TryBeginRefill()) return;
        _ = Task.Run(async () =>
        {
            try
            {
                var stopping = lifetime.ApplicationStopping;
                while (credential.Sessions.Count < options.SessionPoolSize && !stopping.IsCancellationRequested)
                {
                    var created = await client.CreateSessionAsync(credential, stopping);
                    if (!created.IsSuccess)
                    {
                        LogRefillFailed(logger, credential.Id, created.Error!.ToString());
                        break;
                    }
                    credential.Sessions.Add(created.Value!);
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
                credential.Sessions.EndRefill();
            }
        });
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not pre-create a session for {Credential}: {Error}")]
    private static partial void LogRefillFailed(ILogger logger, string credential, string error);
}
