using System.Net;
using System.Net.Sockets;

namespace OnDemandGateway.Configuration;

/// <summary>Reads <c>trusted_proxies</c>: IP addresses and CIDR ranges of the reverse proxies whose
/// <c>X-Forwarded-For</c> the gateway believes.</summary>
internal static class TrustedProxyParser
{
    private const string Requirement = "IP addresses or CIDR ranges, comma-separated (such as 127.0.0.1, 10.0.0.0/8), or \"none\"";

    public static IReadOnlyList<IPNetwork> Parse(ConfigValue value) =>
        value.List(Requirement).Select(entry => TryParse(entry, out var network) ? network : throw value.Error($"must be {Requirement} (got \"{entry}\")")).ToList();

    /// <summary>An address is a range of one (/32 or /128).</summary>
    internal static bool TryParse(string text, out IPNetwork network)
    {
        network = default;
        var slash = text.IndexOf('/');
        var addressText = slash < 0 ? text : text[..slash];
        if (!IPAddress.TryParse(addressText, out var address)) return false;
        // IPAddress also reads legacy IPv4 forms ("10" is 0.0.0.10, "010.0.0.1" octal): only a dotted quad as written.
        var v4 = address.AddressFamily == AddressFamily.InterNetwork;
        if (v4 ? address.ToString() != addressText : address.ScopeId != 0) return false;   // fe80::1%eth0: a zone is no peer
        if (slash >= 0) return IPNetwork.TryParse(text, out network);
        network = new IPNetwork(address, v4 ? 32 : 128);
        return true;
    }
}
