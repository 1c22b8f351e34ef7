using OnDemandGateway.Accounts;
using OnDemandGateway.Configuration;
using OnDemandGateway.Tests.TestSupport;

namespace OnDemandGateway.Tests.Accounts;

public sealed class CredentialPoolTests
{
    private readonly ManualTimeProvider _time = new();

    private CredentialPool Pool(int count, Func<GatewayOptions, GatewayOptions>? adjust = null)
    {
        var options = new GatewayOptions
        {
            Credentials = Enumerable.Range(1, count).Select(i => new CredentialOptions(CredentialKind.ApiKey, $"key-number-{i:D4}-secret", null, null)).ToList(),
            AccountCooldownSeconds = 60,
            InvalidCredentialReprobeSeconds = 600,
        };
        return new CredentialPool(adjust?.Invoke(options) ?? options, _time);
    }

    private static CredentialState Take(CredentialPool pool)
    {
        var result = pool.TryAcquire();
        Assert.Equal(AcquireOutcome.Leased, result.Outcome);
        result.Lease!.Dispose();
        return result.Lease.Credential;
    }

    [Fact]
    public void TryAcquire_RoundRobin_VisitsEveryCredentialInTurn()
    {
        var pool = Pool(3);
        var order = Enumerable.Range(0, 6).Select(_ => Take(pool).Index).ToList();
        Assert.Equal([0, 1, 2, 0, 1, 2], order);
    }

    [Fact]
    public void ReportRateLimited_CoolsDownForConfiguredSeconds_ThenReturns()
    {
        var pool = Pool(2);
        var first = pool.Credentials[0];
        pool.ReportRateLimited(first, null, "429");
        Assert.All(Enumerable.Range(0, 4), _ => Assert.Equal(1, Take(pool).Index));
        Assert.Equal("cooling", pool.Snapshot()[0].State);

        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.All(Enumerable.Range(0, 2), _ => Assert.Equal(1, Take(pool).Index));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Contains(0, Enumerable.Range(0, 2).Select(_ => Take(pool).Index));
    }

    [Fact]
    public void ReportRateLimited_WithRetryAfter_UsesIt()
    {
        var pool = Pool(1);
        pool.ReportRateLimited(pool.Credentials[0], TimeSpan.FromSeconds(5), "429");
        var result = pool.TryAcquire();
        Assert.Equal(AcquireOutcome.AllCooling, result.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(5), result.RetryAfter);
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(AcquireOutcome.Leased, pool.TryAcquire().Outcome);
    }

    [Fact]
    public async Task AcquireAsync_AllCoolingBeyondBound_AnswersAtOnceWithSoonest()
    {
        var pool = Pool(2);
        pool.ReportRateLimited(pool.Credentials[0], TimeSpan.FromSeconds(30), "429");
        pool.ReportRateLimited(pool.Credentials[1], TimeSpan.FromSeconds(20), "429");
        var result = await pool.AcquireAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.Equal(AcquireOutcome.AllCooling, result.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(20), result.RetryAfter);
    }

    [Fact]
    public async Task AcquireAsync_AllCoolingWithinBound_WaitsForTheSoonest()
    {
        var pool = Pool(2);
        pool.ReportRateLimited(pool.Credentials[0], TimeSpan.FromSeconds(30), "429");
        pool.ReportRateLimited(pool.Credentials[1], TimeSpan.FromSeconds(3), "429");
        var pending = pool.AcquireAsync(TimeSpan.FromSeconds(5), CancellationToken.None).AsTask();
        Assert.False(pending.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(3));
        var result = await pending.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, result.Lease!.Credential.Index);
    }

    [Fact]
    public void ReportInvalid_TakesOutOfRotation_ThenOneProbeAfterQuarantine()
    {
        var pool = Pool(2);
        pool.ReportInvalid(pool.Credentials[0], "401");
        Assert.All(Enumerable.Range(0, 4), _ => Assert.Equal(1, Take(pool).Index));
        pool.ReportInvalid(pool.Credentials[1], "401");
        Assert.Equal(AcquireOutcome.AllInvalid, pool.TryAcquire().Outcome);

        _time.Advance(TimeSpan.FromSeconds(600));
        var probe = pool.TryAcquire();
        Assert.True(probe.Lease!.IsProbe);
        var second = pool.TryAcquire();
        Assert.True(second.Lease!.IsProbe);
        Assert.NotEqual(probe.Lease.Credential, second.Lease.Credential);
        // While both probes are out, nobody else gets an invalid credential.
        Assert.Equal(AcquireOutcome.AllInvalid, pool.TryAcquire().Outcome);
        pool.ReportSuccess(probe.Lease.Credential);
        probe.Lease.Dispose();
        Assert.Equal("ok", pool.Snapshot()[probe.Lease.Credential.Index].State);
    }

    [Fact]
    public void ReportFailure_ServerError_KeepsCredentialInRotation()
    {
        var pool = Pool(1);
        pool.ReportFailure(pool.Credentials[0], "500 server_error");
        Assert.Equal("ok", pool.Snapshot()[0].State);
        Assert.Equal("500 server_error", pool.Snapshot()[0].LastError);
        Assert.Equal(AcquireOutcome.Leased, pool.TryAcquire().Outcome);
    }

    [Fact]
    public async Task AcquireAsync_ConcurrencyLimit_WaitsForARelease()
    {
        var pool = Pool(1, o => o with { MaxConcurrencyPerCredential = 1 });
        var held = pool.TryAcquire().Lease!;
        Assert.Equal(AcquireOutcome.AllBusy, pool.TryAcquire().Outcome);
        var waiting = pool.AcquireAsync(TimeSpan.FromSeconds(5), CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);
        held.Dispose();
        var result = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(AcquireOutcome.Leased, result.Outcome);
    }

    [Fact]
    public void TryAcquire_NoCredentials_SaysNoneConfigured()
    {
        Assert.Equal(AcquireOutcome.NoneConfigured, Pool(0).TryAcquire().Outcome);
    }

    [Fact]
    public void Snapshot_MasksSecrets()
    {
        var status = Pool(1).Snapshot()[0];
        Assert.DoesNotContain("number-0001", status.Id);
        Assert.Equal("api_key", status.Kind);
    }
}
