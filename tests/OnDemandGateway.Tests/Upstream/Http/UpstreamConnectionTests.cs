using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using OnDemandGateway.Upstream.Http;

namespace OnDemandGateway.Tests.Upstream.Http;

/// <summary>How connections are made: TLS (a self-signed certificate the test trusts through the validation
/// callback) and proxies (a raw loopback proxy that checks what it is asked and answers itself).</summary>
public sealed class UpstreamConnectionTests : IDisposable
{
    private const string Ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

    // One RSA key for the class: making one costs a noticeable fraction of a second.
    private static readonly Lazy<X509Certificate2> SharedCertificate = new(SelfSignedCertificate.Create);

    private readonly RawServer _server = new();

    private static X509Certificate2 ServerCertificate => SharedCertificate.Value;

    public void Dispose() => _server.Dispose();

    private static RemoteCertificateValidationCallback TrustOnly(X509Certificate2 certificate)
    {
        var expected = certificate.GetCertHashString();
        return (_, presented, _, _) => presented is not null && presented.GetCertHashString() == expected;
    }

    private static Task<UpstreamHttpResponse> Post(UpstreamHttpClient client, UpstreamOrigin origin, string path = "/x") =>
        client.PostAsync(origin, path, [new("X-Key", "k")], "{}"u8.ToArray(), repeatable: true, CancellationToken.None).WaitAsync(RawServer.Timeout);

    private static async Task<string> ReadBody(UpstreamHttpResponse response) =>
        Encoding.UTF8.GetString(await response.ReadBodyAsync(100, CancellationToken.None).AsTask().WaitAsync(RawServer.Timeout));

    private WebProxy Proxy(string userInfo = "") => new($"http://{userInfo}127.0.0.1:{_server.Port}");

    [Fact]
    public async Task PostAsync_TlsWithTrustedCertificate_ExchangesRequestsOverOneConnection()
    {
        using var client = new UpstreamHttpClient(new UpstreamHttpOptions { Proxy = null, CertificateValidation = TrustOnly(ServerCertificate) }, TimeProvider.System);
        var origin = UpstreamOrigin.Parse($"https://127.0.0.1:{_server.Port}/v1");

        var post = Post(client, origin, "/chat");
        using var connection = await _server.AcceptAsync();
        await connection.AuthenticateAsServerAsync(ServerCertificate);
        var first = await connection.ReadRequestAsync();
        await connection.WriteAsync(Ok);
        using (var response = await post) Assert.Equal("ok", await ReadBody(response));

        post = Post(client, origin, "/chat");
        var second = await connection.ReadRequestAsync();
        await connection.WriteAsync("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\ntls\r\n0\r\n\r\n");
        using (var response = await post) Assert.Equal("tls", await ReadBody(response));

        Assert.Equal("POST /v1/chat HTTP/1.1", first.RequestLine);
        Assert.Equal($"127.0.0.1:{_server.Port}", first.Header("Host"));
        Assert.Equal(first.Head, second.Head);
        Assert.Equal(1, _server.Accepted);
        Assert.False(_server.HasPendingConnection);
    }

    [Fact]
    public async Task Body_OverTls_ZeroByteReadWaitsForTheNextChunk()
    {
        // A stream waiting between deltas waits with a zero-byte read, through TLS too.
        using var client = new UpstreamHttpClient(new UpstreamHttpOptions { Proxy = null, CertificateValidation = TrustOnly(ServerCertificate) }, TimeProvider.System);
        var post = Post(client, UpstreamOrigin.Parse($"https://127.0.0.1:{_server.Port}"));
        using var connection = await _server.AcceptAsync();
        await connection.AuthenticateAsServerAsync(ServerCertificate);
        await connection.ReadRequestAsync();
        await connection.WriteAsync("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\none\r\n");
        using var response = await post;
        var buffer = new byte[16];
        Assert.Equal("one", Encoding.UTF8.GetString(buffer, 0, await response.Body.ReadAsync(buffer).AsTask().WaitAsync(RawServer.Timeout)));

        var wait = response.Body.ReadAsync(Memory<byte>.Empty).AsTask();
        Assert.False(wait.IsCompleted);
        await connection.WriteAsync("3\r\ntwo\r\n0\r\n\r\n");

        Assert.Equal(0, await wait.WaitAsync(RawServer.Timeout));
        Assert.Equal("two", Encoding.UTF8.GetString(buffer, 0, await response.Body.ReadAsync(buffer).AsTask().WaitAsync(RawServer.Timeout)));
    }

    [Fact]
    public async Task PostAsync_TlsWithUntrustedCertificate_IsSecureConnectionError()
    {
        using var client = new UpstreamHttpClient(new UpstreamHttpOptions { Proxy = null }, TimeProvider.System);
        var post = Post(client, UpstreamOrigin.Parse($"https://127.0.0.1:{_server.Port}"));
        using var connection = await _server.AcceptAsync();
        var handshake = connection.AuthenticateAsServerAsync(ServerCertificate);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => post);

        Assert.Equal(HttpRequestError.SecureConnectionError, error.HttpRequestError);
        await Record.ExceptionAsync(() => handshake);   // TLS 1.3: the server may finish before the client checks
    }

    [Fact]
    public async Task PostAsync_TlsCertificateOfAnotherServer_IsSecureConnectionError()
    {
        using var other = SelfSignedCertificate.Create();
        using var client = new UpstreamHttpClient(new UpstreamHttpOptions { Proxy = null, CertificateValidation = TrustOnly(other) }, TimeProvider.System);
        var post = Post(client, UpstreamOrigin.Parse($"https://127.0.0.1:{_server.Port}"));
        using var connection = await _server.AcceptAsync();
        var handshake = connection.AuthenticateAsServerAsync(ServerCertificate);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => post);

        Assert.Equal(HttpRequestError.SecureConnectionError, error.HttpRequestError);
        await Record.ExceptionAsync(() => handshake);
    }

    [Fact]
    public void WebProxy_UserInfoInTheAddress_IsKept()
    {
        // The client takes proxy credentials from the proxy URL's user info (as HTTP_PROXY carries them).
        var proxy = new WebProxy("http://user:pass@127.0.0.1:3128");
        Assert.Equal("user:pass", proxy.GetProxy(new Uri("http://upstream.test/"))!.UserInfo);
        Assert.Equal("Basic dXNlcjpwYXNz", UpstreamConnection.ProxyAuthorization(proxy.Address!));
    }

    [Fact]
    public async Task PostAsync_HttpOriginThroughProxy_SendsAbsoluteTargetAndProxyAuthorization()
    {
        using var client = new UpstreamHttpClient(new UpstreamHttpOptions { Proxy = Proxy("user:pass@") }, TimeProvider.System);
        var origin = UpstreamOrigin.Parse("http://upstream.test:8080/base");   // never resolved: the proxy is asked

        var post = Post(client, origin, "/path");
        using var proxy = await _server.AcceptAsync();
        var first = await proxy.ReadRequestAsync();
        await proxy.WriteAsync(Ok);
        using (var response = await post) Assert.Equal("ok", await ReadBody(response));
        post = Post(client, origin, "/path");
        var second = await proxy.ReadRequestAsync();
        await proxy.WriteAsync(Ok);
        using (var response = await post) Assert.Equal("ok", await ReadBody(response));

        Assert.Equal(
            "POST http://upstream.test:8080/base/path HTTP/1.1\r\nHost: upstream.test:8080\r\nContent-Type: application/json\r\nContent-Length: 2\r\n" +
            "Proxy-Authorization: Basic dXNlcjpwYXNz\r\nX-Key: k\r\n\r\n",
            first.Head);
        Assert.Equal(first.Head, second.Head);   // every request through the kept connection carries it
        Assert.Equal(1, _server.Accepted);
    }

    [Fact]
    public async Task PostAsync_HttpOriginOnDefaultPortThroughProxyWithoutCredentials_HasNoPortAndNoProxyAuthorization()
    {
        using var client = new UpstreamHttpClient(new UpstreamHttpOptions { Proxy = Proxy() }, TimeProvider.System);

        var post = Post(client, UpstreamOrigin.Parse("http://upstream.test/v1"), "/path");
        using var proxy = await _server.AcceptAsync();
        var request = await proxy.ReadRequestAsync();
        await proxy.WriteAsync(Ok);
        using var response = await post;

        Assert.Equal("POST http://upstream.test/v1/path HTTP/1.1", request.RequestLine);
        Assert.Equal("upstream.test", request.Header("Host"));
        Assert.Null(request.Header("Proxy-Authorization"));
    }

    [Fact]
    public async Task PostAsync_HttpsOriginThroughProxy_TunnelsWithConnectThenSpeaksTls()
    {
        using var client = new UpstreamHttpClient(
            new UpstreamHttpOptions { Proxy = Proxy("user:pass@"), CertificateValidation = TrustOnly(ServerCertificate) }, TimeProvider.System);

        var post = Post(client, UpstreamOrigin.Parse("https://upstream.test:8443/base"), "/path");
        using var proxy = await _server.AcceptAsync();
        var connect = await proxy.ReadRequestAsync();
        await proxy.WriteAsync("HTTP/1.1 200 Connection established\r\n\r\n");
        await proxy.AuthenticateAsServerAsync(ServerCertificate);   // the proxy plays the origin at the tunnel's end
        var request = await proxy.ReadRequestAsync();
        await proxy.WriteAsync(Ok);
        using var response = await post;

        Assert.Equal("ok", await ReadBody(response));
        Assert.Equal("CONNECT upstream.test:8443 HTTP/1.1", connect.RequestLine);
        Assert.Equal("upstream.test:8443", connect.Header("Host"));
        Assert.Equal("Basic dXNlcjpwYXNz", connect.Header("Proxy-Authorization"));
        Assert.Equal("POST /base/path HTTP/1.1", request.RequestLine);
        Assert.Equal("upstream.test:8443", request.Header("Host"));
        Assert.Null(request.Header("Proxy-Authorization"));   // inside the tunnel the proxy sees nothing
    }

    [Fact]
    public async Task PostAsync_ProxyRefusesTheTunnel_IsProxyTunnelError()
    {
        using var client = new UpstreamHttpClient(new UpstreamHttpOptions { Proxy = Proxy(), CertificateValidation = TrustOnly(ServerCertificate) }, TimeProvider.System);

        var post = Post(client, UpstreamOrigin.Parse("https://upstream.test"));
        using var proxy = await _server.AcceptAsync();
        var connect = await proxy.ReadRequestAsync();
        await proxy.WriteAsync("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"p\"\r\nContent-Length: 0\r\n\r\n");

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => post);
        Assert.Equal(HttpRequestError.ProxyTunnelError, error.HttpRequestError);
        Assert.Equal("CONNECT upstream.test:443 HTTP/1.1", connect.RequestLine);
        await proxy.WaitForClientCloseAsync();
    }

    [Fact]
    public async Task PostAsync_HttpsIpv6OriginThroughProxy_ConnectTargetIsBracketed()
    {
        using var client = new UpstreamHttpClient(new UpstreamHttpOptions { Proxy = Proxy() }, TimeProvider.System);

        var post = Post(client, UpstreamOrigin.Parse("https://[2001:db8::1]:8443/v1"));   // never reached: the proxy refuses
        using var proxy = await _server.AcceptAsync();
        var connect = await proxy.ReadRequestAsync();
        await proxy.WriteAsync("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");

        Assert.Equal(HttpRequestError.ProxyTunnelError, (await Assert.ThrowsAsync<HttpRequestException>(() => post)).HttpRequestError);
        Assert.Equal("CONNECT [2001:db8::1]:8443 HTTP/1.1", connect.RequestLine);
        Assert.Equal("[2001:db8::1]:8443", connect.Header("Host"));
    }

    [Fact]
    public async Task PostAsync_ProxyClosesDuringConnect_IsProxyTunnelError()
    {
        using var client = new UpstreamHttpClient(new UpstreamHttpOptions { Proxy = Proxy(), CertificateValidation = TrustOnly(ServerCertificate) }, TimeProvider.System);

        var post = Post(client, UpstreamOrigin.Parse("https://upstream.test"));
        var proxy = await _server.AcceptAsync();
        await proxy.ReadRequestAsync();
        await proxy.WriteAsync("HTTP/1.1 200 Conn");
        proxy.Dispose();

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => post);
        Assert.Equal(HttpRequestError.ProxyTunnelError, error.HttpRequestError);
    }

    [Fact]
    public async Task PostAsync_OriginInTheProxyBypassList_IsConnectedDirectly()
    {
        var bypassing = new WebProxy("http://127.0.0.1:1") { BypassList = [@"127\.0\.0\.1"] };   // nothing listens on port 1
        using var client = new UpstreamHttpClient(new UpstreamHttpOptions { Proxy = bypassing }, TimeProvider.System);

        var post = Post(client, _server.Origin("/v1"), "/x");
        using var connection = await _server.AcceptAsync();
        var request = await connection.ReadRequestAsync();
        await connection.WriteAsync(Ok);
        using var response = await post;

        Assert.Equal("POST /v1/x HTTP/1.1", request.RequestLine);
        Assert.Null(request.Header("Proxy-Authorization"));
    }
}
