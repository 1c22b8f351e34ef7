namespace OnDemandGateway.Upstream.Http;

/// <summary>Where upstream requests go: scheme, host and port of one base URL, with the path prefix kept apart
/// so request targets are built by concatenation. Connections are pooled per origin.</summary>
internal sealed record UpstreamOrigin(bool IsHttps, string Host, int Port, string BasePath)
{
    /// <summary>The <c>Host</c> header value (the port only when it is not the scheme's default; an IPv6
    /// address in brackets).</summary>
    public string Authority { get; } = (IsHttps ? Port == 443 : Port == 80) ? UriHost(Host) : $"{UriHost(Host)}:{Port}";

    /// <summary>The host as written in a URL or an authority: an IPv6 address in brackets.</summary>
    internal static string UriHost(string host) => host.Contains(':') ? $"[{host}]" : host;

    /// <summary>The URL the proxy settings are matched against.</summary>
    public Uri Uri => new($"{(IsHttps ? "https" : "http")}://{Authority}{BasePath}");

    /// <summary>Reads an absolute http(s) URL; the path (without a trailing slash) becomes <see cref="BasePath"/>.</summary>
    public static UpstreamOrigin Parse(string baseUrl)
    {
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw new ArgumentException($"'{baseUrl}' is not an absolute http or https URL.", nameof(baseUrl));
        var host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host.Trim('[', ']') : uri.IdnHost;
        return new UpstreamOrigin(uri.Scheme == Uri.UriSchemeHttps, host, uri.Port, uri.AbsolutePath.TrimEnd('/'));
    }

    public bool Equals(UpstreamOrigin? other) =>
        other is not null && IsHttps == other.IsHttps && Port == other.Port && string.Equals(Host, other.Host, StringComparison.OrdinalIgnoreCase);

    public override int GetHashCode() => HashCode.Combine(IsHttps, Port, StringComparer.OrdinalIgnoreCase.GetHashCode(Host));
}
