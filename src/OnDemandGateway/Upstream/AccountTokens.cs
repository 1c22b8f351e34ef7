namespace OnDemandGateway.Upstream;

/// <summary>The token cache of one account, shared by all concurrent requests: one signin, not one per request.</summary>
internal sealed class AccountTokens
{
    private AccountToken? _current;

    /// <summary>Serialises signin and refresh for this account.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    public AccountToken? Current => Volatile.Read(ref _current);

    public long NextGeneration => (Current?.Generation ?? 0) + 1;

    public void Set(AccountToken token) => Volatile.Write(ref _current, token);

    public void Clear() => Volatile.Write(ref _current, null);
}
