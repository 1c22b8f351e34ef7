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

    // Origins seen to answer a pipelined batch incompletely: their batches are sent one request at a time.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<UpstreamOrigin, bool> _noPipelining = new();

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

    /// <summary>
    /// Sends several small POSTs back to back on one connection (HTTP/1.1 pipelining: one send for all of them)
    /// and reads the answers in order, each body whole up to <paramref name="maxBodyBytes"/>. Used for batches
    /// of idempotent-enough work such as creating spare sessions, where a lost answer costs nothing but a retry.
    /// Requests left unanswered (the server closed the connection, or announced it would) fail with
    /// <see cref="HttpRequestError.ResponseEnded"/>, and the origin's later batches go one request per round trip.
    /// </summary>
    public async Task<UpstreamReply[]> PostPipelinedAsync(UpstreamOrigin origin, IReadOnlyList<UpstreamRequest> requests, int maxBodyBytes, CancellationToken cancellationToken)
    {
        var replies = new UpstreamReply[requests.Count];
        foreach (var request in requests) CheckHeaders(request.Headers);
        if (requests.Count == 1 || _noPipelining.ContainsKey(origin))
        {
            for (var i = 0; i < requests.Count; i++) replies[i] = await PostWholeAsync(origin, requests[i], maxBodyBytes, cancellationToken);
            return replies;
        }
        for (var attempt = 0; ; attempt++)
        {
            var connection = _pool.Rent(origin);
            var reused = connection is not null;
            connection ??= await UpstreamConnection.ConnectAsync(origin, options, _pool.Now, cancellationToken);
            var answered = 0;
            var reusable = false;
            var malformed = false;
            try
            {
                connection.BeginRequest();
                await WriteAllAsync(connection, origin, requests, cancellationToken);
                for (; answered < requests.Count; answered++)
                {
                    var head = await ReadHeadAsync(connection, cancellationToken);
                    var response = new UpstreamHttpResponse(head, connection, _pool);
                    replies[answered] = new UpstreamReply(head, await response.ReadBodyAsync(maxBodyBytes, cancellationToken), null);
                    if (head.ConnectionClose)
                    {
                        answered++;
                        break;
                    }
                }
                reusable = answered == requests.Count && !replies[^1].Head!.ConnectionClose;
            }
            catch (Exception e) when (reused && attempt == 0 && connection.Received == 0 && !cancellationToken.IsCancellationRequested
                                      && e is HttpRequestException or IOException)
            {
                connection.Dispose();   // a stale keep-alive connection: once more on a fresh one
                continue;
            }
            catch (Exception e) when (answered > 0 && !cancellationToken.IsCancellationRequested && e is HttpRequestException or IOException)
            {
                // Some answers came: keep them; the one that broke carries its own error, the rest fail below.
                replies[answered++] = UpstreamReply.Failed(e);
                // A malformed or oversized answer says nothing about pipelining; a connection that ended does.
                malformed = e is HttpRequestException { HttpRequestError: HttpRequestError.InvalidResponse };
                if (!malformed) _noPipelining.TryAdd(origin, true);
            }
            catch
            {
                connection.Dispose();
                throw;
            }
            if (reusable) _pool.Return(connection);
            else connection.Dispose();
            if (answered < requests.Count)
            {
                if (!malformed) _noPipelining.TryAdd(origin, true);   // the server closed after an answer
                var ended = new HttpRequestException(HttpRequestError.ResponseEnded, malformed
                    ? "An earlier answer on the same connection was malformed, so this one was not read."
                    : "The upstream did not answer every request sent on one connection (no HTTP/1.1 pipelining).");
                for (var i = answered; i < requests.Count; i++) replies[i] = UpstreamReply.Failed(ended);
            }
            return replies;
        }
    }

    /// <summary>Whether batches to <paramref name="origin"/> are still sent pipelined.</summary>
    public bool Pipelines(UpstreamOrigin origin) => !_noPipelining.ContainsKey(origin);

    private async Task<UpstreamReply> PostWholeAsync(UpstreamOrigin origin, UpstreamRequest request, int maxBodyBytes, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await PostAsync(origin, request.Path, request.Headers, request.Body, cancellationToken);
            return new UpstreamReply(response.Head, await response.ReadBodyAsync(maxBodyBytes, cancellationToken), null);
        }
        catch (Exception e) when (e is HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
        {
            return UpstreamReply.Failed(e);
        }
    }

    private static async ValueTask WriteAllAsync(UpstreamConnection connection, UpstreamOrigin origin, IReadOnlyList<UpstreamRequest> requests, CancellationToken cancellationToken)
    {
        var parts = new (byte[] Buffer, int Length)[requests.Count];
        var total = 0;
        try
        {
            for (var i = 0; i < requests.Count; i++)
            {
                var buffer = Compose(connection, origin, requests[i].Path, requests[i].Headers, requests[i].Body.Span, out var length);
                parts[i] = (buffer, length);
                total += length;
            }
            var all = ArrayPool<byte>.Shared.Rent(total);
            try
            {
                var at = 0;
                foreach (var (buffer, length) in parts)
                {
                    buffer.AsSpan(0, length).CopyTo(all.AsSpan(at));
                    at += length;
                }
                await connection.WriteAsync(all.AsMemory(0, total), cancellationToken);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(all);
            }
        }
        finally
        {
            foreach (var (buffer, _) in parts)
            {
                if (buffer is not null) ArrayPool<byte>.Shared.Return(buffer);
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
