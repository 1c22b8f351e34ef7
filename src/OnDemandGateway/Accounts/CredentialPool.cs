using OnDemandGateway.Configuration;

namespace OnDemandGateway.Accounts;

/// <summary>Round-robin over usable credentials. A 429 cools one down, a 401/403 that survives renewal marks it
/// invalid (re-probed after a quarantine), 5xx never changes its state.</summary>
internal sealed class CredentialPool : ICredentialStatusSource
{
    private readonly CredentialState[] _credentials;
    private readonly TimeProvider _time;
    private readonly GatewayOptions _options;
    private readonly ICredentialStateSync? _sync;
    private int _next = -1;
    private int _waiters;
    private TaskCompletionSource _released = NewSignal();

    /// <param name="sync">Shares state changes with other instances (PostgreSQL); null when running alone.</param>
    public CredentialPool(GatewayOptions options, TimeProvider time, ICredentialStateSync? sync = null)
    {
        _options = options;
        _time = time;
        _sync = sync;
        _credentials = options.Credentials.Select((c, i) => new CredentialState(c, i)).ToArray();
    }

    public IReadOnlyList<CredentialState> Credentials => _credentials;

    public AcquireResult TryAcquire()
    {
        var count = _credentials.Length;
        if (count == 0) return new AcquireResult(AcquireOutcome.NoneConfigured, null, TimeSpan.Zero);
        var now = _time.GetUtcNow();
        var start = (int)((uint)Interlocked.Increment(ref _next) % (uint)count);
        var soonest = DateTimeOffset.MaxValue;
        var busy = false;
        var invalid = 0;
        var quarantine = TimeSpan.FromSeconds(_options.InvalidCredentialReprobeSeconds);
        for (var i = 0; i < count; i++)
        {
            var credential = _credentials[(start + i) % count];
            var probe = false;
            if (credential.IsInvalid)
            {
                if (!credential.TryBeginProbe(now, quarantine)) { invalid++; continue; }
                probe = true;
            }
            else if (credential.CoolingUntil(now) is { } until)
            {
                if (until < soonest) soonest = until;
                continue;
            }
            if (!credential.TryEnter(_options.MaxConcurrencyPerCredential))
            {
                if (probe) credential.EndProbe();
                busy = true;
                continue;
            }
            return AcquireResult.Of(new CredentialLease(this, credential, probe));
        }
        if (busy) return new AcquireResult(AcquireOutcome.AllBusy, null, TimeSpan.Zero);
        if (invalid == count) return new AcquireResult(AcquireOutcome.AllInvalid, null, quarantine);
        return new AcquireResult(AcquireOutcome.AllCooling, null, soonest - now);
    }

    /// <summary>Leases a credential, waiting for the soonest cooldown or a free slot only while that is within
    /// <paramref name="maxWait"/>; otherwise answers at once. Each wait is on a timer or a release: no spinning.</summary>
    public async ValueTask<AcquireResult> AcquireAsync(TimeSpan maxWait, CancellationToken cancellationToken)
    {
        var deadline = _time.GetUtcNow() + maxWait;
        while (true)
        {
            var result = TryAcquire();
            if (result.Outcome is AcquireOutcome.Leased or AcquireOutcome.NoneConfigured or AcquireOutcome.AllInvalid) return result;
            var remaining = deadline - _time.GetUtcNow();
            if (result.Outcome == AcquireOutcome.AllCooling)
            {
                if (result.RetryAfter > remaining) return result;
                await Task.Delay(result.RetryAfter, _time, cancellationToken);
                continue;
            }
            if (remaining <= TimeSpan.Zero) return result;
            await WaitForReleaseAsync(remaining, cancellationToken);
        }
    }

    private async Task WaitForReleaseAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _waiters);
        try
        {
            var signal = Volatile.Read(ref _released).Task;
            // Re-check after registering: a release between TryAcquire and here must not be missed.
            if (_credentials.Any(c => c.InFlight < _options.MaxConcurrencyPerCredential && !c.IsInvalid)) return;
            await signal.WaitAsync(timeout, _time, cancellationToken);
        }
        catch (TimeoutException)
        {
        }
        finally
        {
            Interlocked.Decrement(ref _waiters);
        }
    }

    internal void Release(CredentialLease lease)
    {
        lease.Credential.Exit();
        if (lease.IsProbe) lease.Credential.EndProbe();
        if (Volatile.Read(ref _waiters) > 0) Interlocked.Exchange(ref _released, NewSignal()).TrySetResult();
    }

    public void ReportSuccess(CredentialState credential)
    {
        if (!credential.IsInvalid) return;
        credential.MarkValid();
        _sync?.Publish(credential, new CredentialChange(ValidityChanged: true));
    }

    public void ReportRateLimited(CredentialState credential, TimeSpan? retryAfter, string error)
    {
        var cooldown = retryAfter is { } wait && wait > TimeSpan.Zero ? wait : TimeSpan.FromSeconds(_options.AccountCooldownSeconds);
        var until = _time.GetUtcNow() + cooldown;
        credential.CoolDownUntil(until);
        credential.RecordFailure(error);
        _sync?.Publish(credential, new CredentialChange(CoolingUntil: until, LastError: error));
    }

    public void ReportInvalid(CredentialState credential, string error)
    {
        credential.MarkInvalid(_time.GetUtcNow());
        credential.RecordFailure(error);
        _sync?.Publish(credential, new CredentialChange(ValidityChanged: true, InvalidSince: credential.InvalidSince, LastError: error));
    }

    public void ReportFailure(CredentialState credential, string error)
    {
        credential.RecordFailure(error);
        _sync?.Publish(credential, new CredentialChange(LastError: error));
    }

    public IReadOnlyList<CredentialStatus> Snapshot()
    {
        var now = _time.GetUtcNow();
        var list = new CredentialStatus[_credentials.Length];
        for (var i = 0; i < list.Length; i++)
        {
            var c = _credentials[i];
            var cooling = c.CoolingUntil(now);
            var state = c.IsInvalid ? CredentialStates.Invalid : cooling is not null ? CredentialStates.Cooling : CredentialStates.Ok;
            list[i] = new CredentialStatus(c.Id, c.IsAccount ? "account" : "api_key", state, cooling, c.LastError, c.Requests, c.Failures, c.InFlight);
        }
        return list;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
