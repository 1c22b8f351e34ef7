using System.Buffers;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using OnDemandGateway.Runtime;

namespace OnDemandGateway.Upstream.Http;

/// <summary>One keep-alive HTTP/1.1 connection to an origin (plain, TLS, or TLS through a proxy's CONNECT
/// tunnel), with its receive buffer. Used by one request at a time; the pool owns it in between.</summary>
internal sealed class UpstreamConnection : IDisposable
{
    private const int InitialBufferSize = 4 * 1024;

    private readonly Socket _socket;
    private readonly Stream _stream;
    private byte[] _buffer = [];   // rented on the first read, handed back while the connection sits idle
    private int _start;
    private int _end;
    private bool _disposed;
    private bool _reading;

    private UpstreamConnection(UpstreamOrigin origin, Socket socket, Stream stream, Uri? forwardProxy, long createdAt)
    {
        Origin = origin;
        _socket = socket;
        _stream = stream;
        ViaProxy = forwardProxy is not null;
        ProxyAuthorizationValue = forwardProxy is null ? null : ProxyAuthorization(forwardProxy);
        CreatedAt = createdAt;
    }

    public UpstreamOrigin Origin { get; }

    /// <summary>Plain HTTP through a forward proxy: request targets are absolute URLs.</summary>
    public bool ViaProxy { get; }

    /// <summary>The <c>Proxy-Authorization</c> value each request through a forward proxy carries, if any.</summary>
    public string? ProxyAuthorizationValue { get; }

    public long CreatedAt { get; }

    public long IdleSince { get; set; }

    /// <summary>Bytes received so far for the current request (a reused connection that fails before any is
    /// safe to retry on a new one: the server never saw the request, or dropped it unanswered).</summary>
    public long Received { get; private set; }

    public ReadOnlySpan<byte> Buffered => _buffer.AsSpan(_start, _end - _start);

    public static async Task<UpstreamConnection> ConnectAsync(UpstreamOrigin origin, UpstreamHttpOptions options, long now, CancellationToken cancellationToken)
    {
        var proxy = ProxyFor(origin, options.Proxy);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream? stream = null;
        try
        {
            try
            {
                await socket.ConnectAsync(proxy is null ? new DnsEndPoint(origin.Host, origin.Port) : new DnsEndPoint(proxy.IdnHost, proxy.Port), timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new HttpRequestException(HttpRequestError.ConnectionError, $"Connecting to {origin.Authority} timed out after {options.ConnectTimeout.TotalSeconds:0} s.");
            }
            catch (SocketException e)
            {
                throw new HttpRequestException(HttpRequestError.ConnectionError, $"Could not connect to {(proxy is null ? origin.Authority : "the proxy")}: {e.SocketErrorCode}.", e);
            }
            stream = new NetworkStream(socket, ownsSocket: false);
            if (proxy is not null && origin.IsHttps) await TunnelAsync(stream, origin, proxy, timeout.Token);
            if (origin.IsHttps)
            {
                var plain = stream;
                stream = null;
                stream = await StartTlsAsync(plain, origin, options, timeout.Token);
            }
            return new UpstreamConnection(origin, socket, stream, origin.IsHttps ? null : proxy, now);
        }
        catch
        {
            stream?.Dispose();
            socket.Dispose();
            throw;
        }
    }

    /// <summary>TLS over <paramref name="plain"/> (disposed with the result, or on failure). A method of its own
    /// so System.Net.Security loads only for an https origin.</summary>
    private static async Task<Stream> StartTlsAsync(Stream plain, UpstreamOrigin origin, UpstreamHttpOptions options, CancellationToken cancellationToken)
    {
        var tls = new SslStream(plain, leaveInnerStreamOpen: false, options.CertificateValidation);
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = origin.Host,
                ApplicationProtocols = [SslApplicationProtocol.Http11],
            }, cancellationToken);
            return tls;
        }
        catch (Exception e)
        {
            await tls.DisposeAsync();
            if (e is IOException or System.Security.Authentication.AuthenticationException)
                throw new HttpRequestException(HttpRequestError.SecureConnectionError, $"TLS with {origin.Authority} failed: {e.Message}", e);
            throw;
        }
    }

    private static Uri? ProxyFor(UpstreamOrigin origin, IWebProxy? proxy)
    {
        if (proxy is null) return null;
        var target = origin.Uri;
        if (proxy.IsBypassed(target)) return null;
        var chosen = proxy.GetProxy(target);
        return chosen is null || chosen == target ? null : chosen;
    }

    /// <summary>Asks an HTTP proxy for a tunnel to the origin (CONNECT), for TLS end to end.</summary>
    private static async Task TunnelAsync(Stream stream, UpstreamOrigin origin, Uri proxy, CancellationToken cancellationToken)
    {
        var request = new StringBuilder()
            .Append("CONNECT ").Append(UpstreamOrigin.UriHost(origin.Host)).Append(':').Append(origin.Port).Append(" HTTP/1.1\r\n")
            .Append("Host: ").Append(UpstreamOrigin.UriHost(origin.Host)).Append(':').Append(origin.Port).Append("\r\n");
        if (ProxyAuthorization(proxy) is { } authorization) request.Append("Proxy-Authorization: ").Append(authorization).Append("\r\n");
        request.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request.ToString()), cancellationToken);
        // Read byte by byte up to the blank line: nothing after it may be consumed (the TLS handshake follows).
        var head = new List<byte>(128);
        var one = new byte[1];
        while (head.Count < 8192)
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0) break;
            head.Add(one[0]);
            if (head.Count >= 4 && head[^1] == '\n' && head[^2] == '\r' && head[^3] == '\n' && head[^4] == '\r')
            {
                if (!ResponseHeadParser.TryParse(head.ToArray(), out var reply, out _) || reply.Status != 200)
                    throw new HttpRequestException(HttpRequestError.ProxyTunnelError, $"The proxy refused the tunnel to {origin.Authority} ({reply?.Status}).");
                return;
            }
        }
        throw new HttpRequestException(HttpRequestError.ProxyTunnelError, "The proxy closed the connection during CONNECT.");
    }

    /// <summary><c>Basic</c> credentials from the proxy URL's user info (http://user:pass@proxy:3128), if any.</summary>
    internal static string? ProxyAuthorization(Uri proxy) =>
        string.IsNullOrEmpty(proxy.UserInfo) ? null : "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(proxy.UserInfo)));

    /// <summary>False when the server has closed the connection (or sent something unasked) while it sat idle.</summary>
    public bool IsUsable()
    {
        if (_disposed || _end > _start) return false;
        try
        {
            return !_socket.Poll(0, SelectMode.SelectRead);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Hands the receive buffer back while the connection sits idle (the pool calls this): thousands of
    /// idle connections after a burst of streams hold no buffers.</summary>
    public void ReleaseBuffer()
    {
        if (_reading || _end > _start) return;
        PooledBytes.Release(ref _buffer);
        _start = _end = 0;
    }

    /// <summary>Waits until the network has bytes for this connection (or its end), holding no receive buffer
    /// meanwhile: a zero-byte read. A stream whose deltas come seconds apart then holds no 4 KB buffer between
    /// them.</summary>
    public async ValueTask WaitForDataAsync(CancellationToken cancellationToken)
    {
        if (_end > _start) return;
        ReleaseBuffer();
        await ReadStreamAsync(Memory<byte>.Empty, cancellationToken);
    }

    /// <summary>Starts a new exchange on this connection.</summary>
    public void BeginRequest() => Received = 0;

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        try
        {
            await _stream.WriteAsync(request, cancellationToken);
        }
        catch (IOException e)
        {
            throw new HttpRequestException(HttpRequestError.ConnectionError, "The upstream connection broke while sending the request.", e);
        }
    }

    /// <summary>Reads more bytes into the buffer (growing it when full, up to <paramref name="limit"/>); false at
    /// the end of the stream.</summary>
    public async ValueTask<bool> FillAsync(int limit, CancellationToken cancellationToken)
    {
        if (_start > 0 && _start == _end) _start = _end = 0;
        if (_buffer.Length == 0) _buffer = ArrayPool<byte>.Shared.Rent(InitialBufferSize);
        else if (_end == _buffer.Length)
        {
            if (_start > 0)
            {
                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                _end -= _start;
                _start = 0;
            }
            else
            {
                if (_buffer.Length >= limit) throw ResponseHeadParser.Invalid($"more than {limit} bytes without the expected line end");
                PooledBytes.Grow(ref _buffer, _end, Math.Min(limit, _buffer.Length * 2));
            }
        }
        var read = await ReadStreamAsync(_buffer.AsMemory(_end), cancellationToken);
        _end += read;
        return read > 0;
    }

    public void Consume(int count) => _start += count;

    /// <summary>Body bytes: from the buffer first, else straight from the network into the caller's memory.</summary>
    public ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (_end > _start)
        {
            var count = Math.Min(destination.Length, _end - _start);
            _buffer.AsSpan(_start, count).CopyTo(destination.Span);
            _start += count;
            return ValueTask.FromResult(count);
        }
        return ReadStreamAsync(destination, cancellationToken);
    }

    private async ValueTask<int> ReadStreamAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        int read;
        _reading = true;
        try
        {
            read = await _stream.ReadAsync(destination, cancellationToken);
        }
        catch (IOException e) when (e is not HttpIOException)
        {
            throw new HttpIOException(HttpRequestError.ResponseEnded, "The upstream connection broke while reading the response.", e);
        }
        finally
        {
            _reading = false;
        }
        Received += read;
        return read;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        try
        {
            _stream.Dispose();
        }
        catch (IOException)
        {
        }
        _socket.Dispose();
        // A read still in flight may yet write into the buffer: then it is left to the GC, not pooled.
        if (_reading) _buffer = [];
        else PooledBytes.Release(ref _buffer);
        _start = _end = 0;
    }
}
