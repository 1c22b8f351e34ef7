using OnDemandGateway.Upstream.Http;

namespace OnDemandGateway.Tests.Upstream.Http;

public sealed class UpstreamHttpOptionsTests
{
    [Fact]
    public void EnvironmentProxy_NoProxyVariable_IsNone() =>
        Assert.Null(UpstreamHttpOptions.EnvironmentProxy(_ => null));

    [Fact]
    public void EnvironmentProxy_BlankProxyVariable_IsNone() =>
        Assert.Null(UpstreamHttpOptions.EnvironmentProxy(name => name == "HTTPS_PROXY" ? " " : null));

    [Theory]
    [InlineData("http_proxy")]
    [InlineData("HTTPS_PROXY")]
    [InlineData("all_proxy")]
    public void EnvironmentProxy_AnyProxyVariable_IsHttpClientsProxy(string variable) =>
        Assert.Same(HttpClient.DefaultProxy, UpstreamHttpOptions.EnvironmentProxy(name => name == variable ? "http://127.0.0.1:3128" : null));
}
