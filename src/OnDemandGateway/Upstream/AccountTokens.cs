namespace OnDemandGateway.Upstream;

/// <summary>The token cache of one account, shared by all concurrent requests: one signin, not one per request,
/// whether it succeeds or fails. Signin and refresh run under <see cref="Gate"/>; so do the writes here.</summary>
internal sealed class AccountTokens
{
    private AccountToken? _current;
    private long _generation;   // of the last token set; kept when it is cleared, so no generation is issued twice
    private long _signins;
    private UpstreamError? _failure;
    private long _failedSignin;

    /// <summary>Serialises signin and refresh for this account.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    public AccountToken? Current => Volatile.Read(ref _current);

    /// <summary>For the next token: a request whose call was refused with an older generation knows it has been
    /// renewed already, also after a signin that first cleared the token.</summary>
    public long NextGeneration => Interlocked.Read(ref _generation) + 1;

    /// <summary>Signins finished so far, successful or not: a request notes this before it waits on
    /// <see cref="Gate"/>, so it can tell afterwards whether a signin failed while it waited.</summary>
    public long Signins => Interlocked.Read(ref _signins);

    public void Set(AccountToken token)
    {
        Interlocked.Exchange(ref _generation, token.Generation);
        Volatile.Write(ref _current, token);
    }

    public void Clear() => Volatile.Write(ref _current, null);

    public void SignedIn(AccountToken token)
    {
        Volatile.Write(ref _failure, null);
        Set(token);
        Interlocked.Increment(ref _signins);
    }

    public void SigninFailed(UpstreamError error)
    {
        _failedSignin = Interlocked.Increment(ref _signins);
        Volatile.Write(ref _failure, error);
    }

    /// <summary>The failure a request takes instead of signing in itself: that of a signin that finished after the
    /// request noted <paramref name="seenSignins"/> (it waited for it), or a refusal of the account's credentials,
    /// which stands until <see cref="ForgetRefusal"/> (a wrong password is not tried again per request).</summary>
    public UpstreamError? FailureSince(long seenSignins)
    {
        var failure = Volatile.Read(ref _failure);
        return failure is not null && (_failedSignin > seenSignins || failure.Kind == UpstreamErrorKind.Unauthenticated) ? failure : null;
    }

    /// <summary>The account is to be tried again (a re-probe after its quarantine, or another instance found it
    /// valid): the next request signs in.</summary>
    public void ForgetRefusal() => Volatile.Write(ref _failure, null);
}
