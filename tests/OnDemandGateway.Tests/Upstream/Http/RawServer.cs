using System.Net;
using System.Net.Sockets;
using OnDemandGateway.Upstream.Http;

namespace OnDemandGateway.Tests.Upstream.Http;

/// <summary>A loopback TCP listener whose connections a test accepts and scripts byte by byte, so the framing
/// the client sees is exactly what the test wrote. Nothing runs on its own: every accept, read and write is a
/// step of the test, bounded by <see cref="Timeout"/>.</summary>
internal sealed class RawServer : IDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<RawServerConnection> _accepted = [];

    public RawServer() => _listener.Start();

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Connections accepted so far.</summary>
    public int Accepted => _accepted.Count;

    /// <summary>A client has connected and not been accepted yet (the kernel completes the handshake before
    /// <see cref="AcceptAsync"/>, so a connect that happened is visible here at once).</summary>
    public bool HasPendingConnection => _listener.Pending();

    public UpstreamOrigin Origin(string basePath = "") => UpstreamOrigin.Parse($"http://127.0.0.1:{Port}{basePath}");

    public async Task<RawServerConnection> AcceptAsync()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var socket = await _listener.AcceptSocketAsync(timeout.Token);
        socket.NoDelay = true;
        var connection = new RawServerConnection(socket);
        _accepted.Add(connection);
        return connection;
    }

    public void Dispose()
    {
        _listener.Stop();
        foreach (var connection in _accepted) connection.Dispose();
    }
}
