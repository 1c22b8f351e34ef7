using System.Net;
using System.Net.Security;

namespace OnDemandGateway.Upstream.Http;

/// <summary>Settings of <see cref="UpstreamHttpClient"/>. The defaults are those the gateway runs with.</summary>
internal sealed record UpstreamHttpOptions
{
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>An idle pooled connection older than this is closed (servers drop idle keep-alive connections).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>No connection is reused after this age, so DNS changes are picked up.</summary>
    public TimeSpan ConnectionLifetime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Largest status line plus headers accepted from the upstream.</summary>
    public int MaxResponseHeaderBytes { get; init; } = 64 * 1024;

    /// <summary>Idle connections kept per origin; more are closed when returned. High, because a burst of streams
    /// ending together returns them all at once, and the next burst needs them again (1,024 made 2,000 paced
    /// streams reconnect ~100 times a second).</summary>
    public int MaxIdlePerOrigin { get; init; } = 16 * 1024;

    /// <summary>The proxy for an origin, as HttpClient would choose it (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY,
    /// NO_PROXY); null means none.</summary>
    public IWebProxy? Proxy { get; init; } = EnvironmentProxy();

    /// <summary>HttpClient's proxy from the environment, asked only when a proxy variable is set: without one it
    /// is "no proxy" anyway, and asking would run System.Net.Http's proxy set-up in every gateway.</summary>
    internal static IWebProxy? EnvironmentProxy(Func<string, string?>? variable = null)
    {
        variable ??= Environment.GetEnvironmentVariable;
        string[] names = ["http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"];
        return names.Any(name => !string.IsNullOrWhiteSpace(variable(name))) ? HttpClient.DefaultProxy : null;
    }

    /// <summary>Replaces certificate validation (tests trust their own self-signed certificate with it).</summary>
    public RemoteCertificateValidationCallback? CertificateValidation { get; init; }
}
