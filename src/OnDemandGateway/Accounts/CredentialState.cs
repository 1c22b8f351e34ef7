using OnDemandGateway.Configuration;
using OnDemandGateway.Upstream;

namespace OnDemandGateway.Accounts;

/// <summary>Live, thread-safe state of one upstream credential: cooldown deadline, invalid flag, counters.
/// The immutable configuration stays in <see cref="Options"/>.</summary>
internal sealed class CredentialState
{
    private long _coolingUntilTicks;
    private long _invalidSinceTicks;
    private int _probing;
    private int _inFlight;
    private long _requests;
    private long _failures;
    private string? _lastError;

    public CredentialState(CredentialOptions options, int index)
    {
        Options = options;
        Index = index;
        Id = options.MaskedId;
        Tokens = options.Kind == CredentialKind.Account ? new AccountTokens() : null;
    }

    public CredentialOptions Options { get; }
    public int Index { get; }
    /// <summary>Masked, non-secret id.</summary>
    public string Id { get; }
    public bool IsAccount => Options.Kind == CredentialKind.Account;
    /// <summary>Cached upstream tokens, shared by every request on this account (null for API keys).</summary>
    public AccountTokens? Tokens { get; }
    /// <summary>Fresh, never-used upstream sessions for this credential.</summary>
    public SessionReserve Sessions { get; } = new();

    public int InFlight => Volatile.Read(ref _inFlight);
    public long Requests => Interlocked.Read(ref _requests);
    public long Failures => Interlocked.Read(ref _failures);
    public string? LastError => Volatile.Read(ref _lastError);

    public DateTimeOffset? CoolingUntil(DateTimeOffset now)
    {
        var ticks = Interlocked.Read(ref _coolingUntilTicks);
        return ticks > now.UtcTicks ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;
    }

    public bool IsInvalid => Interlocked.Read(ref _invalidSinceTicks) != 0;

    public DateTimeOffset? InvalidSince
    {
        get
        {
            var ticks = Interlocked.Read(ref _invalidSinceTicks);
            return ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    /// <summary>Extends (never shortens) the cooldown.</summary>
    public void CoolDownUntil(DateTimeOffset until)
    {
        var ticks = until.UtcTicks;
        long current;
        do
        {
            current = Interlocked.Read(ref _coolingUntilTicks);
            if (current >= ticks) return;
        }
        while (Interlocked.CompareExchange(ref _coolingUntilTicks, ticks, current) != current);
    }

    public void MarkInvalid(DateTimeOffset now)
    {
        Interlocked.CompareExchange(ref _invalidSinceTicks, now.UtcTicks, 0);
        Volatile.Write(ref _probing, 0);
    }

    /// <summary>A success (on a re-probe or otherwise) puts the credential back into rotation.</summary>
    public void MarkValid()
    {
        Interlocked.Exchange(ref _invalidSinceTicks, 0);
        Volatile.Write(ref _probing, 0);
        Tokens?.ForgetRefusal();
    }

    /// <summary>Lets exactly one request re-probe an invalid credential once its quarantine is over.</summary>
    public bool TryBeginProbe(DateTimeOffset now, TimeSpan quarantine)
    {
        var since = Interlocked.Read(ref _invalidSinceTicks);
        if (since == 0 || now.UtcTicks - since < quarantine.Ticks) return false;
        if (Interlocked.CompareExchange(ref _probing, 1, 0) != 0) return false;
        // Restart the quarantine so a failed probe waits a full period before the next one.
        Interlocked.Exchange(ref _invalidSinceTicks, now.UtcTicks);
        Tokens?.ForgetRefusal();   // the probe signs in again: the password may have been put right meanwhile
        return true;
    }

    public void EndProbe() => Volatile.Write(ref _probing, 0);

    public bool TryEnter(int maxConcurrency)
    {
        var now = Interlocked.Increment(ref _inFlight);
        if (maxConcurrency > 0 && now > maxConcurrency)
        {
            Interlocked.Decrement(ref _inFlight);
            return false;
        }
        Interlocked.Increment(ref _requests);
        return true;
    }

    public void Exit() => Interlocked.Decrement(ref _inFlight);

    /// <summary>Takes the last error another instance saw (shared state) without counting a failure here.</summary>
    public void ApplyLastError(string error) => Volatile.Write(ref _lastError, error);

    public void RecordFailure(string error)
    {
        Interlocked.Increment(ref _failures);
        Volatile.Write(ref _lastError, error);
    }
}
