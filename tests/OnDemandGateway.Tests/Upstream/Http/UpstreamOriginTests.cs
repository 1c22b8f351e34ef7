using OnDemandGateway.Upstream.Http;

namespace OnDemandGateway.Tests.Upstream.Http;

public sealed class UpstreamOriginTests
{
    [Theory]
    [InlineData("https://api.on-demand.io", true, "api.on-demand.io", 443, "", "api.on-demand.io")]
    [InlineData("https://api.on-demand.io/", true, "api.on-demand.io", 443, "", "api.on-demand.io")]
    [InlineData("https://gateway.on-demand.io/chat/v1/", true, "gateway.on-demand.io", 443, "/chat/v1", "gateway.on-demand.io")]
    [InlineData("http://127.0.0.1:9100", false, "127.0.0.1", 9100, "", "127.0.0.1:9100")]
    [InlineData("http://example.test/base", false, "example.test", 80, "/base", "example.test")]
    [InlineData("http://example.test:443/", false, "example.test", 443, "", "example.test:443")]
    [InlineData("https://example.test:80", true, "example.test", 80, "", "example.test:80")]
    [InlineData("HTTPS://Example.TEST:8443/A/b", true, "example.test", 8443, "/A/b", "example.test:8443")]
    public void Parse_AbsoluteUrl_SplitsSchemeHostPortAndBasePath(string url, bool https, string host, int port, string basePath, string authority)
    {
        var origin = UpstreamOrigin.Parse(url);
        Assert.Equal((https, host, port, basePath, authority), (origin.IsHttps, origin.Host, origin.Port, origin.BasePath, origin.Authority));
    }

    [Fact]
    public void Parse_InternationalHost_IsPunycode()
    {
        Assert.Equal("xn--bcher-kva.example", UpstreamOrigin.Parse("https://bücher.example/").Host);
    }

    [Fact]
    public void Parse_Ipv6Host_IsBracketedInTheAuthorityAndUri()
    {
        var origin = UpstreamOrigin.Parse("http://[::1]:8080/v1");

        Assert.Equal("::1", origin.Host);
        Assert.Equal("[::1]:8080", origin.Authority);
        Assert.Equal(new Uri("http://[::1]:8080/v1"), origin.Uri);
        Assert.Equal("[::1]", UpstreamOrigin.Parse("https://[::1]/").Authority);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a url")]
    [InlineData("/relative/path")]
    [InlineData("ftp://example.test/")]
    [InlineData("ws://example.test/")]
    public void Parse_NotAnAbsoluteHttpUrl_Throws(string url)
    {
        Assert.Throws<ArgumentException>(() => UpstreamOrigin.Parse(url));
    }

    [Fact]
    public void Uri_IsWhatProxySettingsAreMatchedAgainst()
    {
        Assert.Equal(new Uri("https://api.on-demand.io/chat/v1"), UpstreamOrigin.Parse("https://api.on-demand.io/chat/v1").Uri);
        Assert.Equal(new Uri("http://127.0.0.1:9100"), UpstreamOrigin.Parse("http://127.0.0.1:9100").Uri);
    }

    [Fact]
    public void Equals_IgnoresBasePathAndHostCase_SoOneHostSharesItsConnections()
    {
        var api = UpstreamOrigin.Parse("https://Host.test/api");
        var auth = UpstreamOrigin.Parse("https://host.test/auth");

        Assert.Equal(api, auth);
        Assert.Equal(api.GetHashCode(), auth.GetHashCode());
        Assert.NotEqual(api, UpstreamOrigin.Parse("http://host.test/api"));
        Assert.NotEqual(api, UpstreamOrigin.Parse("https://host.test:8443/api"));
        Assert.NotEqual(api, UpstreamOrigin.Parse("https://other.test/api"));
    }
}
