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
/// A repeatable request that fails on a reused connection before any byte of a response arrived (the server had
/// closed it while idle) is sent once more on a new connection, as HttpClient does; a request that is not (a query:
/// the server may already have taken it into its session) never is.</para>
/// </summary>
internal sealed class UpstreamHttpClient(UpstreamHttpOptions options, TimeProvider time) : IDisposable
{
    private static ReadOnlySpan<byte> Post => "POST "u8;
    private static ReadOnlySpan<byte> Version => " HTTP/1.1\r\nHost: "u8;
    private static ReadOnlySpan<byte> JsonHeaders => "\r\nContent-Type: application/json\r\nContent-Length: "u8;
    private static ReadOnlySpan<byte> Crlf => "\r\n"u8;
    private static ReadOnlySpan<byte> NameSeparator => ": "u8;

    private readonly UpstreamConnectionPool _pool = new(options, time);

    /// <summary>How long an origin that answered a batch incompletely gets one request per round trip before a
    /// batch is pipelined to it again (a proxy or load balancer in between may have changed, or had a bad moment).</summary>
    internal static readonly TimeSpan PipeliningRetryAfter = TimeSpan.FromMinutes(10);

    // Origins seen to answer a pipelined batch incompletely, with when: their batches go one request at a time.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<UpstreamOrigin, long> _noPipelining = new();

    public UpstreamConnectionPool Pool => _pool;

    /// <summary>Sends <c>POST {origin}{path}</c> with a JSON body and returns once the response head is in.</summary>
    /// <param name="repeatable">The request may reach the server twice without harm (a session creation, a signin, a
    /// refresh): a pooled connection that fails before any byte of an answer is then replaced and the request sent
    /// once more. False for a query: the server may have taken it into its session's history before the connection
    /// failed, so the failure goes to the caller, which retries on a fresh session.</param>
    public Task<UpstreamHttpResponse> PostAsync(UpstreamOrigin origin, string path, IReadOnlyList<UpstreamHeader> headers, ReadOnlyMemory<byte> body, bool repeatable, CancellationToken cancellationToken)
    {
        CheckHeaders(headers);   // before a connection is taken: a refused request must not cost (or leak) one
        return OnConnectionAsync(origin, repeatable, (Client: this, origin, path, headers, body), static async (connection, state, cancellationToken) =>
        {
            var (client, origin, path, headers, body) = state;
            var buffer = ArrayPool<byte>.Shared.Rent(RequestSize(connection, origin, path, headers, body.Length));
            try
            {
                var length = 0;
                WriteRequest(buffer, ref length, connection, origin, path, headers, body.Span);
                await connection.WriteAsync(buffer.AsMemory(0, length), cancellationToken);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
            return new UpstreamHttpResponse(await client.ReadHeadAsync(connection, cancellationToken), connection, client._pool);
        }, cancellationToken);
    }

    /// <summary>
    /// Sends several small POSTs back to back on one connection (HTTP/1.1 pipelining: one send for all of them)
    /// and reads the answers in order, each body whole up to <paramref name="maxBodyBytes"/>. Used for batches
    /// of repeatable work such as creating spare sessions, where a lost answer costs nothing but a retry.
    /// Requests left unanswered (the server closed the connection, or announced it would) fail with
    /// <see cref="HttpRequestError.ResponseEnded"/>, and the origin's batches go one request per round trip for the
    /// next <see cref="PipeliningRetryAfter"/>.
    /// </summary>
    public async Task<UpstreamReply[]> PostPipelinedAsync(UpstreamOrigin origin, IReadOnlyList<UpstreamRequest> requests, int maxBodyBytes, CancellationToken cancellationToken)
    {
        foreach (var request in requests) CheckHeaders(request.Headers);
        if (requests.Count == 1 || !Pipelines(origin))
        {
            var replies = new UpstreamReply[requests.Count];
            for (var i = 0; i < requests.Count; i++) replies[i] = await PostWholeAsync(origin, requests[i], maxBodyBytes, cancellationToken);
            return replies;
        }
        return await OnConnectionAsync(origin, repeatable: true, (Client: this, origin, requests, maxBodyBytes), static (connection, state, cancellationToken) =>
            state.Client.ExchangeBatchAsync(connection, state.origin, state.requests, state.maxBodyBytes, cancellationToken), cancellationToken);
    }

    private async Task<UpstreamReply[]> ExchangeBatchAsync(UpstreamConnection connection, UpstreamOrigin origin, IReadOnlyList<UpstreamRequest> requests, int maxBodyBytes, CancellationToken cancellationToken)
    {
        var size = 0;
        foreach (var request in requests) size += RequestSize(connection, origin, request.Path, request.Headers, request.Body.Length);
        var buffer = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            var length = 0;
            foreach (var request in requests) WriteRequest(buffer, ref length, connection, origin, request.Path, request.Headers, request.Body.Span);
            await connection.WriteAsync(buffer.AsMemory(0, length), cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        var replies = new UpstreamReply[requests.Count];
        var answered = 0;
        Exception? failure = null;
        try
        {
            while (answered < requests.Count)
            {
                var head = await ReadHeadAsync(connection, cancellationToken);
                var body = await new UpstreamHttpResponse(head, connection, _pool).ReadBodyAsync(maxBodyBytes, cancellationToken);
                replies[answered++] = new UpstreamReply(head, body, null);
                if (head.ConnectionClose) break;
            }
        }
        catch (Exception e) when (answered > 0 && !cancellationToken.IsCancellationRequested && e is HttpRequestException or IOException)
        {
            // Some answers came: keep them; the one that broke carries its own error, the rest fail below.
            failure = e;
            replies[answered++] = UpstreamReply.Failed(e);
        }
        if (failure is null && answered == requests.Count && !replies[^1].Head!.ConnectionClose) _pool.Return(connection);
        else connection.Dispose();
        // A malformed or oversized answer says nothing about pipelining; a connection that ended early does.
        var malformed = failure is HttpRequestException { HttpRequestError: HttpRequestError.InvalidResponse };
        if (!malformed && (failure is not null || answered < requests.Count)) _noPipelining[origin] = time.GetTimestamp();
        if (answered < requests.Count)
        {
            var ended = new HttpRequestException(HttpRequestError.ResponseEnded, malformed
                ? "An earlier answer on the same connection was malformed, so this one was not read."
                : "The upstream did not answer every request sent on one connection (no HTTP/1.1 pipelining).");
            for (var i = answered; i < requests.Count; i++) replies[i] = UpstreamReply.Failed(ended);
        }
        return replies;
    }

    /// <summary>Runs one exchange on a pooled connection to <paramref name="origin"/>, or a new one. For a
    /// <paramref name="repeatable"/> exchange, a pooled connection that fails before any byte of an answer arrived
    /// (the server closed it while it sat idle) is replaced by a new one, once, as HttpClient does. On success the
    /// exchange owns the connection; on failure it is closed.</summary>
    private async Task<T> OnConnectionAsync<TState, T>(UpstreamOrigin origin, bool repeatable, TState state, Func<UpstreamConnection, TState, CancellationToken, Task<T>> exchange, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var connection = _pool.Rent(origin);
            var reused = connection is not null;
            connection ??= await UpstreamConnection.ConnectAsync(origin, options, _pool.Now, cancellationToken);
            try
            {
                connection.BeginRequest();
                return await exchange(connection, state, cancellationToken);
            }
            catch (Exception e) when (repeatable && reused && attempt == 0 && connection.Received == 0 && !cancellationToken.IsCancellationRequested
                                      && e is HttpRequestException or IOException)
            {
                connection.Dispose();   // a stale keep-alive connection: once more on a fresh one
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }
    }

    /// <summary>Whether batches to <paramref name="origin"/> are sent pipelined: yes, unless it answered one
    /// incompletely less than <see cref="PipeliningRetryAfter"/> ago.</summary>
    public bool Pipelines(UpstreamOrigin origin)
    {
        if (!_noPipelining.TryGetValue(origin, out var since)) return true;
        if (time.GetElapsedTime(since) < PipeliningRetryAfter) return false;
        _noPipelining.TryRemove(new KeyValuePair<UpstreamOrigin, long>(origin, since));   // not a newer mark
        return true;
    }

    private async Task<UpstreamReply> PostWholeAsync(UpstreamOrigin origin, UpstreamRequest request, int maxBodyBytes, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await PostAsync(origin, request.Path, request.Headers, request.Body, repeatable: true, cancellationToken);
            return new UpstreamReply(response.Head, await response.ReadBodyAsync(maxBodyBytes, cancellationToken), null);
        }
        catch (Exception e) when (e is HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
        {
            return UpstreamReply.Failed(e);
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

    /// <summary>At most how many bytes <see cref="WriteRequest"/> writes for this request.</summary>
    private static int RequestSize(UpstreamConnection connection, UpstreamOrigin origin, string path, IReadOnlyList<UpstreamHeader> headers, int bodyLength)
    {
        var size = 160 + bodyLength + Encoding.UTF8.GetMaxByteCount((connection.ProxyAuthorizationValue?.Length ?? 0)
            + (connection.ViaProxy ? 7 + origin.Authority.Length : 0) + origin.BasePath.Length + path.Length + origin.Authority.Length);
        for (var i = 0; i < headers.Count; i++) size += 4 + Encoding.UTF8.GetMaxByteCount(headers[i].Name.Length + headers[i].Value.Length);
        return size;
    }

    /// <summary>Writes the request line, headers and body at <paramref name="at"/>. The target's base path is
    /// <paramref name="origin"/>'s: a pooled connection may have been opened for another base path on the same host.</summary>
    private static void WriteRequest(Span<byte> span, ref int at, UpstreamConnection connection, UpstreamOrigin origin, string path, IReadOnlyList<UpstreamHeader> headers, ReadOnlySpan<byte> body)
    {
        Append(span, ref at, Post);
        if (connection.ViaProxy)
        {
            AppendText(span, ref at, "http://");
            AppendText(span, ref at, origin.Authority);
        }
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
    }

    private static void Append(Span<byte> span, ref int at, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(span[at..]);
        at += bytes.Length;
    }

    private static void AppendText(Span<byte> span, ref int at, string text) => at += Encoding.UTF8.GetBytes(text, span[at..]);

    public void Dispose() => _pool.Dispose();
}
