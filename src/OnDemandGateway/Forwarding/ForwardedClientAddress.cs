using Microsoft.AspNetCore.HttpOverrides;
using OnDemandGateway.Configuration;

namespace OnDemandGateway.Forwarding;

/// <summary>Makes <c>Connection.RemoteIpAddress</c> the client's address when the request came through a trusted
/// reverse proxy (<c>trusted_proxies</c>): the right-most <c>X-Forwarded-For</c> entry that is not itself a trusted
/// proxy, since entries further left are whatever the client wrote; and <c>Request.Scheme</c> the one that proxy
/// reports in <c>X-Forwarded-Proto</c>. What keys on the client's address (the
/// failed-authentication throttle) then sees the client, not the proxy all clients share.</summary>
internal static class ForwardedClientAddress
{
    public static WebApplication UseForwardedClientAddress(this WebApplication app)
    {
        var trusted = app.Services.GetRequiredService<GatewayOptions>().TrustedProxies;
        // Left out when no proxy is trusted: with empty lists ASP.NET Core's middleware would trust every peer.
        if (trusted.Count > 0) app.UseForwardedHeaders(Options(trusted));
        return app;
    }

    internal static ForwardedHeadersOptions Options(IReadOnlyList<System.Net.IPNetwork> trusted)
    {
        var options = new ForwardedHeadersOptions
        {
            // The address, and the scheme the client used: behind a proxy that ends TLS (deploy/nginx.conf, a hosted
            // Space) the dashboard's session cookie is marked Secure only when the request is known to be https.
            // Not the host: nothing the gateway answers depends on it.
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto,
            // Every hop from the right while the peer that added it is trusted, not just the last one.
            ForwardLimit = null,
        };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();   // also clears the obsolete KnownNetworks, which mirrors it
        foreach (var network in trusted) options.KnownIPNetworks.Add(network);
        return options;
    }
}
