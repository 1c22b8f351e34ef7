using System.Buffers;
using System.Text;

namespace OnDemandGateway.Upstream.Http;

/// <summary>
/// The gateway's HTTP/1.1 client for on-demand.io: POST with a JSON body over pooled keep-alive connections
/// (plain or TLS, directly or through the environment's proxy). It does the one thing the upstream needs and no
/// more: each request is written with a single send, the response head is parsed from the connection's own
/// buffer keeping only the headers the gateway reads, and no per-request handler chain, header collections or
/// URI parsing run. It replaced <see cref="HttpClient"/> on the request path, where HttpClient's own work was
/// about a third of the gateway's user-mode CPU per request (bench/README.md).
/// <para>Failures are thrown as <see cref="HttpRequestException"/> / <see cref="HttpIOException"/> with an
/// <see cref="HttpRequestError"/>, as HttpClient does, so <see cref="UpstreamErrorClassifier"/> treats both alike.
/// A request that fails on a reused connection before any byte of a response arrived (the server had closed it
/// while idle) is sent once more on a new connection, as HttpClient does.</para>
/// </summary>
internal sealed class UpstreamHttpClient(UpstreamHttpOptions options, TimeProvider time) : IDisposable
{
    private static ReadOnlySpan<byte> Post => "POST "u8;
    private static ReadOnlySpan<byte> Version => " HTTP/1.1\r\nHost: "u8;
    private static ReadOnlySpan<byte> JsonHeaders => "\r\nContent-Type: application/json\r\nContent-Length: "u8;
    private static ReadOnlySpan<byte> Crlf => "\r\n"u8;
    private static ReadOnlySpan<byte> NameSeparator => ": "u8;

    private readonly UpstreamConnectionPool _pool = new(options, time);

    public UpstreamConnectionPool Pool => _pool;

    /// <summary>Sends <c>POST {origin}{path}</c> with a JSON body and returns once the response head is in.</summary>
    public async Task<UpstreamHttpResponse> PostAsync(UpstreamOrigin origin, string path, IReadOnlyList<UpstreamHeader> headers, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        CheckHeaders(headers);   // before a connection is taken: a refused request must not cost (or leak) one
        for (var attempt = 0; ; attempt++)
        {
            var connection = _pool.Rent(origin);
            var reused = connection is not null;
            connection ??= await UpstreamConnection.ConnectAsync(origin, options, _pool.Now, cancellationToken);
            var request = Compose(connection, origin, path, headers, body.Span, out var length);
            try
            {
                connection.BeginRequest();
                await connection.WriteAsync(request.AsMemory(0, length), cancellationToken);
                var head = await ReadHeadAsync(connection, cancellationToken);
                return new UpstreamHttpResponse(head, connection, _pool);
            }
            catch (Exception e) when (reused && attempt == 0 && connection.Received == 0 && !cancellationToken.IsCancellationRequested
                                      && e is HttpRequestException or IOException)
            {
                connection.Dispose();   // a stale keep-alive connection: once more on a fresh one
            }
            catch
            {
                connection.Dispose();
                throw;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(request);
            }
        }
    }

    private async ValueTask<ResponseHead> ReadHeadAsync(UpstreamConnection connection, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (ResponseHeadParser.TryParse(connection.Buffered, out var head, out var consumed))
            {
                connection.Consume(consumed);
                if (head.Status is >= 100 and < 200 && head.Status != 101) continue;   // 100 Continue and the like
                if (head.Status == 101) throw ResponseHeadParser.Invalid("101 Switching Protocols to a POST");
                return head;
            }
            if (!await connection.FillAsync(options.MaxResponseHeaderBytes, cancellationToken))
                throw new HttpRequestException(HttpRequestError.ResponseEnded, "The upstream closed the connection before answering.");
        }
    }

    /// <summary>Refuses a header that would break the request's framing (or smuggle another header in).</summary>
    private static void CheckHeaders(IReadOnlyList<UpstreamHeader> headers)
    {
        for (var i = 0; i < headers.Count; i++)
        {
            var (name, value) = headers[i];
            if (name.AsSpan().IndexOfAny('\r', '\n', ':') >= 0 || value.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
                throw new HttpRequestException(HttpRequestError.Unknown, $"The header {name.Split(':', '\r', '\n')[0]} has a line break or colon where none may be; it was not sent.");
        }
    }

    /// <summary>The request line, headers and body in one pooled buffer (returned by the caller). The target's
    /// base path is <paramref name="origin"/>'s: a pooled connection may have been opened for another base path
    /// on the same host.</summary>
    private static byte[] Compose(UpstreamConnection connection, UpstreamOrigin origin, string path, IReadOnlyList<UpstreamHeader> headers, ReadOnlySpan<byte> body, out int length)
    {
        var proxyPrefix = connection.ViaProxy ? "http://" + origin.Authority : "";
        var size = 160 + Encoding.UTF8.GetMaxByteCount((connection.ProxyAuthorizationValue?.Length ?? 0) + proxyPrefix.Length + origin.BasePath.Length + path.Length + origin.Authority.Length) + body.Length;
        for (var i = 0; i < headers.Count; i++) size += 4 + Encoding.UTF8.GetMaxByteCount(headers[i].Name.Length + headers[i].Value.Length);
        var buffer = ArrayPool<byte>.Shared.Rent(size);
        var span = buffer.AsSpan();
        var at = 0;
        Append(span, ref at, Post);
        AppendText(span, ref at, proxyPrefix);
        AppendText(span, ref at, origin.BasePath);
        AppendText(span, ref at, path);
        Append(span, ref at, Version);
        AppendText(span, ref at, origin.Authority);
        Append(span, ref at, JsonHeaders);
        body.Length.TryFormat(span[at..], out var digits);
        at += digits;
        Append(span, ref at, Crlf);
        if (connection.ProxyAuthorizationValue is { } proxyAuthorization)
        {
            AppendText(span, ref at, "Proxy-Authorization: ");
            AppendText(span, ref at, proxyAuthorization);
            Append(span, ref at, Crlf);
        }
        for (var i = 0; i < headers.Count; i++)
        {
            var (name, value) = headers[i];
            AppendText(span, ref at, name);
            Append(span, ref at, NameSeparator);
            AppendText(span, ref at, value);
            Append(span, ref at, Crlf);
        }
        Append(span, ref at, Crlf);
        Append(span, ref at, body);
        length = at;
        return buffer;
    }

    private static void Append(Span<byte> span, ref int at, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(span[at..]);
        at += bytes.Length;
    }

    private static void AppendText(Span<byte> span, ref int at, string text) => at += Encoding.UTF8.GetBytes(text, span[at..]);

    public void Dispose() => _pool.Dispose();
}
