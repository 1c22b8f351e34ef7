using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace OnDemandGateway.Tests.Upstream.Http;

/// <summary>The server end of one accepted connection: reads whole requests (head and Content-Length body),
/// writes raw bytes, optionally after a TLS handshake, and observes the client closing.</summary>
internal sealed class RawServerConnection(Socket socket) : IDisposable
{
    private readonly Socket _socket = socket;
    private Stream _stream = new NetworkStream(socket, ownsSocket: true);
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    /// <summary>Turns this connection into the TLS server end (after a CONNECT, too).</summary>
    public async Task AuthenticateAsServerAsync(X509Certificate2 certificate)
    {
        if (_end > _start) throw new InvalidOperationException("Bytes were read past the point where TLS starts.");
        var tls = new SslStream(_stream, leaveInnerStreamOpen: false);
        await tls.AuthenticateAsServerAsync(certificate).WaitAsync(RawServer.Timeout);
        _stream = tls;
    }

    /// <summary>The next request: its head up to the blank line, then as many body bytes as its Content-Length says.</summary>
    public async Task<RawRequest> ReadRequestAsync()
    {
        int end;
        while ((end = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8)) < 0)
        {
            if (!await FillAsync()) throw new EndOfStreamException("The client closed the connection before a whole request head arrived.");
        }
        var head = Encoding.Latin1.GetString(_buffer, _start, end + 4);
        _start += end + 4;
        var request = new RawRequest(head, []);
        var length = request.Header("Content-Length") is { } value ? int.Parse(value) : 0;
        while (_end - _start < length)
        {
            if (!await FillAsync()) throw new EndOfStreamException("The client closed the connection inside a request body.");
        }
        var body = _buffer.AsSpan(_start, length).ToArray();
        _start += length;
        return request with { Body = body };
    }

    /// <summary>Reads the next request and writes <paramref name="reply"/> to it.</summary>
    public async Task<RawRequest> AnswerAsync(string reply)
    {
        var request = await ReadRequestAsync();
        await WriteAsync(reply);
        return request;
    }

    /// <summary>Bytes have arrived that no <see cref="ReadRequestAsync"/> has consumed yet (checked without waiting:
    /// what one send of the client wrote on loopback is all here once any of it is).</summary>
    public bool HasUnreadBytes => _end > _start || _socket.Available > 0;

    public Task WriteAsync(string latin1) => WriteAsync(Encoding.Latin1.GetBytes(latin1));

    public async Task WriteAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes).AsTask().WaitAsync(RawServer.Timeout);
        await _stream.FlushAsync().WaitAsync(RawServer.Timeout);
    }

    /// <summary>Completes when the client has closed its end; throws if it sends anything more instead.</summary>
    public async Task WaitForClientCloseAsync()
    {
        if (_end > _start) throw new InvalidOperationException("The client sent more bytes instead of closing.");
        try
        {
            if (await FillAsync()) throw new InvalidOperationException("The client sent more bytes instead of closing.");
        }
        catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset })
        {
            // closed with a reset: closed all the same
        }
    }

    /// <summary>Closes the server end (the client sees the end of the stream).</summary>
    public void Dispose() => _stream.Dispose();

    private async Task<bool> FillAsync()
    {
        if (_start == _end) _start = _end = 0;
        if (_end == _buffer.Length) throw new InvalidOperationException("The test server's buffer is full.");
        var read = await _stream.ReadAsync(_buffer.AsMemory(_end)).AsTask().WaitAsync(RawServer.Timeout);
        _end += read;
        return read > 0;
    }
}
