using System.Security.Cryptography;
using System.Text;
using OnDemandGateway.Configuration;

namespace OnDemandGateway.Auth;

/// <summary>The configured client tokens. Comparison is constant-time over SHA-256 digests, so neither
/// content nor length leaks through timing.</summary>
public sealed class ClientKeyRing
{
    private readonly (byte[] Digest, ClientKey Key)[] _keys;

    public ClientKeyRing(IEnumerable<ClientKeyOptions> keys)
    {
        _keys = keys.Select(k => (Digest(k.Key), new ClientKey(k.Name, k.RateLimitPerMinute))).ToArray();
    }

    public int Count => _keys.Length;

    public bool TryAuthenticate(string? token, out ClientKey key)
    {
        key = null!;
        if (string.IsNullOrEmpty(token)) return false;
        var digest = Digest(token);
        var found = false;
        // Compare against every key (no early exit) so timing does not reveal which one matched.
        foreach (var (candidate, clientKey) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(candidate, digest) && !found)
            {
                key = clientKey;
                found = true;
            }
        }
        return found;
    }

    /// <summary>Reads <c>Authorization: Bearer &lt;token&gt;</c> or <c>X-API-KEY: &lt;token&gt;</c>.</summary>
    public static string? ReadToken(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return authorization["Bearer ".Length..].Trim();
        var apiKey = request.Headers["X-API-KEY"].ToString();
        return apiKey.Length > 0 ? apiKey.Trim() : null;
    }

    /// <summary>Derives a per-key secret from the named key's token digest (dashboard sessions are signed with it),
    /// so rotating a token invalidates everything signed for it. Names are not secret; lookup by name is fine.</summary>
    internal bool TryDeriveSecret(string name, string purpose, out ClientKey key, out byte[] secret)
    {
        foreach (var (digest, clientKey) in _keys)
        {
            if (clientKey.Name != name) continue;
            key = clientKey;
            secret = HMACSHA256.HashData(digest, Encoding.UTF8.GetBytes(purpose));
            return true;
        }
        key = null!;
        secret = [];
        return false;
    }

    private static byte[] Digest(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
