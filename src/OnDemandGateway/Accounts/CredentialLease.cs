namespace OnDemandGateway.Accounts;

/// <summary>One request's hold on a credential; disposing it frees the concurrency slot.</summary>
internal sealed class CredentialLease(CredentialPool pool, CredentialState credential, bool isProbe) : IDisposable
{
    private int _disposed;

    public CredentialState Credential { get; } = credential;
    /// <summary>True when this request re-probes a credential that was marked invalid.</summary>
    public bool IsProbe { get; } = isProbe;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) pool.Release(this);
    }
}
