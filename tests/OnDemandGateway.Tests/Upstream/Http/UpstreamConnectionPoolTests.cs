using OnDemandGateway.Tests.TestSupport;
using OnDemandGateway.Upstream.Http;

namespace OnDemandGateway.Tests.Upstream.Http;

/// <summary>The pool's rules on time (a <see cref="ManualTimeProvider"/>, which also drives the sweep timer) with
/// real loopback connections, so "closed" is what the server end observes.</summary>
public sealed class UpstreamConnectionPoolTests : IDisposable
{
    private static readonly UpstreamHttpOptions Options = new()
    {
        Proxy = null,
        IdleTimeout = TimeSpan.FromSeconds(90),          // the sweep runs every 45 s
        ConnectionLifetime = TimeSpan.FromMinutes(5),
    };

    private readonly ManualTimeProvider _time = new();
    private readonly RawServer _server = new();

    public void Dispose() => _server.Dispose();

    private UpstreamConnectionPool NewPool(UpstreamHttpOptions? options = null) => new(options ?? Options, _time);

    /// <summary>A new connection made "now" and the server's end of it.</summary>
    private async Task<(UpstreamConnection Client, RawServerConnection Server)> ConnectAsync(UpstreamConnectionPool pool, UpstreamHttpOptions? options = null)
    {
        var client = await UpstreamConnection.ConnectAsync(_server.Origin(), options ?? Options, pool.Now, CancellationToken.None).WaitAsync(RawServer.Timeout);
        return (client, await _server.AcceptAsync());
    }

    [Fact]
    public async Task Rent_NoIdleConnectionForThatOrigin_IsNull()
    {
        using var pool = NewPool();
        var (client, _) = await ConnectAsync(pool);
        using (client)
        {
            pool.Return(client);
            Assert.Null(pool.Rent(UpstreamOrigin.Parse("http://127.0.0.1:1")));
        }
        using var empty = NewPool();
        Assert.Null(empty.Rent(_server.Origin()));
    }

    [Fact]
    public async Task Rent_ReturnsTheMostRecentlyReturnedFirst()
    {
        using var pool = NewPool();
        var (first, _) = await ConnectAsync(pool);
        var (second, _) = await ConnectAsync(pool);
        pool.Return(first);
        pool.Return(second);
        Assert.Equal(2, pool.IdleCount);

        Assert.Same(second, pool.Rent(_server.Origin()));
        Assert.Same(first, pool.Rent(_server.Origin()));
        Assert.Null(pool.Rent(_server.Origin()));
        Assert.Equal(0, pool.IdleCount);
    }

    [Fact]
    public async Task Rent_OriginWithAnotherBasePath_SharesTheConnections()
    {
        using var pool = NewPool();
        var (client, _) = await ConnectAsync(pool);
        pool.Return(client);

        Assert.Same(client, pool.Rent(UpstreamOrigin.Parse($"http://127.0.0.1:{_server.Port}/other/base")));
    }

    [Fact]
    public async Task Rent_IdleLongerThanIdleTimeout_IsNotHandedOutAndIsClosed()
    {
        using var pool = NewPool();
        var (client, server) = await ConnectAsync(pool);
        _time.Advance(TimeSpan.FromSeconds(10));
        pool.Return(client);
        _time.Advance(TimeSpan.FromSeconds(89));   // sweeps at 45 s and 90 s: idle 35 s and 80 s, kept
        Assert.Equal(1, pool.IdleCount);
        Assert.Same(client, pool.Rent(_server.Origin()));
        pool.Return(client);
        _time.Advance(TimeSpan.FromSeconds(81));   // sweeps at 135 s and 180 s: idle 36 s and 81 s, kept
        Assert.Equal(1, pool.IdleCount);
        _time.Advance(TimeSpan.FromSeconds(9));    // 189 s, no sweep since 180 s: idle exactly 90 s

        Assert.Null(pool.Rent(_server.Origin()));
        await server.WaitForClientCloseAsync();
        Assert.Equal(0, pool.IdleCount);
    }

    [Fact]
    public async Task Rent_OlderThanConnectionLifetime_IsNotHandedOut()
    {
        var options = Options with { ConnectionLifetime = TimeSpan.FromSeconds(100) };
        using var pool = NewPool(options);
        var (client, server) = await ConnectAsync(pool, options);
        _time.Advance(TimeSpan.FromSeconds(60));
        pool.Return(client);
        _time.Advance(TimeSpan.FromSeconds(39));   // sweep at 90 s: 90 s old, idle 30 s, kept
        Assert.Equal(1, pool.IdleCount);
        _time.Advance(TimeSpan.FromSeconds(1));    // 100 s old, idle 40 s

        Assert.Null(pool.Rent(_server.Origin()));
        await server.WaitForClientCloseAsync();
    }

    [Fact]
    public async Task Return_OlderThanConnectionLifetime_ClosesIt()
    {
        using var pool = NewPool();
        var (client, server) = await ConnectAsync(pool);
        _time.Advance(Options.ConnectionLifetime);

        pool.Return(client);

        Assert.Equal(0, pool.IdleCount);
        await server.WaitForClientCloseAsync();
    }

    [Fact]
    public async Task Sweep_ClosesExpiredConnectionsAndKeepsTheRestInOrder()
    {
        using var pool = NewPool();
        var (old, oldServer) = await ConnectAsync(pool);
        var (middle, _) = await ConnectAsync(pool);
        var (recent, _) = await ConnectAsync(pool);
        pool.Return(old);
        _time.Advance(TimeSpan.FromSeconds(50));   // sweep at 45 s: nothing expired yet
        pool.Return(middle);
        pool.Return(recent);
        Assert.Equal(3, pool.IdleCount);

        _time.Advance(TimeSpan.FromSeconds(40));   // sweep at 90 s: the first is idle 90 s

        Assert.Equal(2, pool.IdleCount);
        await oldServer.WaitForClientCloseAsync();
        pool.Sweep();
        Assert.Equal(2, pool.IdleCount);
        Assert.Same(recent, pool.Rent(_server.Origin()));
        Assert.Same(middle, pool.Rent(_server.Origin()));
    }

    [Fact]
    public async Task Sweep_CalledDirectly_ClosesExpiredConnections()
    {
        using var pool = NewPool(Options with { IdleTimeout = TimeSpan.FromSeconds(10), ConnectionLifetime = TimeSpan.FromSeconds(7) });
        var (client, server) = await ConnectAsync(pool);
        pool.Return(client);
        _time.Advance(TimeSpan.FromSeconds(4));    // the sweep timer (every 5 s) has not run
        Assert.Equal(1, pool.IdleCount);
        pool.Sweep();
        Assert.Equal(1, pool.IdleCount);
        _time.Advance(TimeSpan.FromSeconds(4));    // timer sweep at 5 s: 5 s old, kept; now 8 s old
        Assert.Equal(1, pool.IdleCount);

        pool.Sweep();

        Assert.Equal(0, pool.IdleCount);
        await server.WaitForClientCloseAsync();
    }

    [Fact]
    public async Task Return_BeyondMaxIdlePerOrigin_ClosesTheExtraConnection()
    {
        var options = Options with { MaxIdlePerOrigin = 2 };
        using var pool = NewPool(options);
        var (first, _) = await ConnectAsync(pool, options);
        var (second, _) = await ConnectAsync(pool, options);
        var (third, thirdServer) = await ConnectAsync(pool, options);

        pool.Return(first);
        pool.Return(second);
        pool.Return(third);

        Assert.Equal(2, pool.IdleCount);
        await thirdServer.WaitForClientCloseAsync();
        Assert.Same(second, pool.Rent(_server.Origin()));
        Assert.Same(first, pool.Rent(_server.Origin()));
    }

    [Fact]
    public async Task Dispose_ClosesIdleConnectionsAndLaterReturnsAreClosed()
    {
        var pool = NewPool();
        var (idle, idleServer) = await ConnectAsync(pool);
        var (busy, busyServer) = await ConnectAsync(pool);
        pool.Return(idle);

        pool.Dispose();
        pool.Return(busy);

        Assert.Equal(0, pool.IdleCount);
        await idleServer.WaitForClientCloseAsync();
        await busyServer.WaitForClientCloseAsync();
        Assert.Equal(0, _time.ActiveTimers);
    }
}
