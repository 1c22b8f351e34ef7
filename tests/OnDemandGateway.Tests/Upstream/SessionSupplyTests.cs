using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using OnDemandGateway.Accounts;
using OnDemandGateway.Configuration;
using OnDemandGateway.FakeUpstream;
using OnDemandGateway.Tests.TestSupport;
using OnDemandGateway.Tests.Upstream.Http;
using OnDemandGateway.Upstream;
using OnDemandGateway.Upstream.Http;

namespace OnDemandGateway.Tests.Upstream;

/// <summary><see cref="SessionSupply.Refill"/>: the claimed creations go out in pipelined batches of at most
/// <see cref="SessionSupply.MaxBatch"/>, and every claimed creation is ended exactly once, whatever the outcome.
/// The refill runs in the background; the test observes its continuations through an
/// <see cref="ObservedSynchronizationContext"/> instead of waiting for time to pass.</summary>
public sealed class SessionSupplyTests : IDisposable
{
    private const string ApiKey = "supply-test-key-0001";

    private readonly UpstreamHttpClient _http = new(new UpstreamHttpOptions { Proxy = null }, TimeProvider.System);
    private readonly ApplicationLifetime _lifetime = new(NullLogger<ApplicationLifetime>.Instance);
    private readonly ObservedSynchronizationContext _context = new();
    private readonly CredentialState _credential = new(new CredentialOptions(CredentialKind.ApiKey, ApiKey, null, null), 0);

    public void Dispose() => _http.Dispose();

    private SessionSupply NewSupply(Uri upstream, int poolSize)
    {
        var options = new GatewayOptions { OnDemandApiBase = upstream.ToString(), OnDemandAuthBase = upstream.ToString(), SessionPoolSize = poolSize };
        var client = new OnDemandClient(_http, options, NullLogger<OnDemandClient>.Instance);
        return new SessionSupply(client, options, _lifetime, NullLogger<SessionSupply>.Instance);
    }

    private Task RefilledAsync() => _context.WhenAsync(() => _credential.Sessions.Creating <= 0).WaitAsync(RawServer.Timeout);

    private List<string> Drain()
    {
        var taken = new List<string>();
        while (_credential.Sessions.TryTake(out var id)) taken.Add(id);
        return taken;
    }

    [Fact]
    public async Task Refill_40Missing_StartsThreePipelinedBatchesOfAtMost16_AndEverySessionArrivesInTheReserve()
    {
        using var server = new RawServer();
        var supply = NewSupply(new Uri($"http://127.0.0.1:{server.Port}"), poolSize: 40);

        _context.Run(() => supply.Refill(_credential));
        Assert.Equal(40, _credential.Sessions.Creating);

        // Every batch is read before any is answered: a batch finished early could lend its connection to a
        // later one, and each batch must have gone out whole without waiting for an answer.
        var batches = new List<(RawServerConnection Connection, int Requests)>();
        for (var batch = 0; batch < 3; batch++)
        {
            var connection = await server.AcceptAsync();
            // A batch is one send: once its first request is read, the rest of it is already here.
            var requests = new List<RawRequest> { await connection.ReadRequestAsync() };
            while (connection.HasUnreadBytes) requests.Add(await connection.ReadRequestAsync());
            Assert.All(requests, r => Assert.Equal("POST /chat/v1/sessions HTTP/1.1", r.RequestLine));
            batches.Add((connection, requests.Count));
        }
        var expected = new List<string>();
        foreach (var (connection, requests) in batches)
        {
            var replies = "";
            for (var i = 0; i < requests; i++)
            {
                var id = $"b{expected.Count}";
                expected.Add(id);
                var body = $$$"""{"data":{"id":"{{{id}}}"}}""";
                replies += $"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n{body}";
            }
            await connection.WriteAsync(replies);
        }
        await RefilledAsync();

        Assert.Equal([8, 16, 16], batches.Select(b => b.Requests).Order());
        Assert.Equal(0, _credential.Sessions.Creating);
        Assert.Equal(40, _credential.Sessions.Count);
        Assert.Equal(expected.Order(), Drain().Order());
        Assert.False(server.HasPendingConnection, "more batches than needed were started");
        Assert.Equal(3, _http.Pool.IdleCount);
    }

    [Fact]
    public async Task Refill_AgainstTheFake_FillsTheReserveWithDistinctSessions_InBatchesOfAtMost16()
    {
        await using var fake = await FakeOnDemandServer.StartAsync(new FakeOnDemandOptions { Quiet = true });
        fake.AddApiKey(ApiKey);
        var supply = NewSupply(fake.BaseUrl, poolSize: 20);

        _context.Run(() => supply.Refill(_credential));
        await RefilledAsync();

        Assert.Equal(0, _credential.Sessions.Creating);
        var sessions = Drain();
        Assert.Equal(20, sessions.Count);
        Assert.Equal(20, sessions.Distinct().Count());
        Assert.Equal(20, fake.Calls.Count(c => c.Kind == FakeCallKind.CreateSession));
        Assert.True(_http.Pool.IdleCount <= 2, $"{_http.Pool.IdleCount} connections for two batches");
    }

    [Fact]
    public async Task Refill_EveryCreationFails_EndsEachClaimedCreationOnce_AndPausesTheRefill()
    {
        await using var fake = await FakeOnDemandServer.StartAsync(new FakeOnDemandOptions { Quiet = true });
        fake.AddApiKey(ApiKey);
        fake.Handler = call => call.Kind == FakeCallKind.CreateSession ? FakeReply.Status(500, "internal_error", "boom") : null;
        var supply = NewSupply(fake.BaseUrl, poolSize: 20);

        _context.Run(() => supply.Refill(_credential));
        await RefilledAsync();

        Assert.Equal(0, _credential.Sessions.Creating);   // not negative: each creation was ended once
        Assert.Equal(0, _credential.Sessions.Count);
        Assert.Equal(20, fake.Calls.Count(c => c.Kind == FakeCallKind.CreateSession));
        _context.Run(() => supply.Refill(_credential));
        Assert.Equal(0, _credential.Sessions.Creating);    // paused: nothing new is started
        Assert.Equal(0, _credential.Sessions.ClaimCreations(20));
        _credential.Sessions.Resume();
        Assert.Equal(20, _credential.Sessions.ClaimCreations(20));
    }

    [Fact]
    public async Task Refill_OneCreationOfABatchFails_KeepsTheOthers_EndsAllOnce_AndPauses()
    {
        await using var fake = await FakeOnDemandServer.StartAsync(new FakeOnDemandOptions { Quiet = true });
        fake.AddApiKey(ApiKey);
        var creations = 0;
        fake.Handler = call => call.Kind == FakeCallKind.CreateSession && Interlocked.Increment(ref creations) == 3
            ? FakeReply.Status(500, "internal_error", "boom")
            : null;
        var supply = NewSupply(fake.BaseUrl, poolSize: 20);

        _context.Run(() => supply.Refill(_credential));
        await RefilledAsync();

        Assert.Equal(0, _credential.Sessions.Creating);
        Assert.Equal(19, _credential.Sessions.Count);
        Assert.Equal(0, _credential.Sessions.ClaimCreations(20));   // paused after the failure
    }

    [Fact]
    public async Task Refill_UpstreamUnreachable_EndsEveryClaimedCreation()
    {
        using var server = new RawServer();
        var supply = NewSupply(new Uri($"http://127.0.0.1:{server.Port}"), poolSize: 18);

        _context.Run(() => supply.Refill(_credential));
        Assert.Equal(18, _credential.Sessions.Creating);
        for (var batch = 0; batch < 2; batch++) (await server.AcceptAsync()).Dispose();   // closed before any answer
        await RefilledAsync();

        Assert.Equal(0, _credential.Sessions.Creating);
        Assert.Equal(0, _credential.Sessions.Count);
        Assert.Equal(0, _credential.Sessions.ClaimCreations(18));
    }
}
