using System.Security.Cryptography;
using System.Text;
using OnDemandGateway.Configuration;

namespace OnDemandGateway.Auth;

/// <summary>The configured client tokens. Comparison is constant-time, so neither content nor length leaks
/// through timing: tokens up to <see cref="PaddedLength"/> bytes are compared as zero-padded blocks of that fixed
/// size (with their lengths), longer ones through SHA-256 digests. A key's digest is taken on first use (a long
/// token, or a dashboard sign-in), so a gateway that never needs one never loads OpenSSL (~5 MB of RSS).</summary>
public sealed class ClientKeyRing
{
    /// <summary>Tokens up to this many UTF-8 bytes (all real ones) are compared without hashing, which spared a
    /// SHA-256 through OpenSSL on every request (~1.5 % of the gateway's CPU per request).</summary>
    internal const int PaddedLength = 256;

    private readonly Entry[] _keys;

    public ClientKeyRing(IEnumerable<ClientKeyOptions> keys)
    {
        _keys = keys.Select(k => new Entry(k.Key, Padded(k.Key), new ClientKey(k.Name, k.RateLimitPerMinute))).ToArray();
    }

    public int Count => _keys.Length;

    public bool TryAuthenticate(string? token, out ClientKey key)
    {
        key = null!;
        if (string.IsNullOrEmpty(token)) return false;
        var found = false;
        Span<byte> padded = stackalloc byte[PaddedLength + sizeof(int)];
        var fits = TryPad(token, padded);
        var digest = fits ? null : Digest(token);
        // Compare against every key (no early exit) so timing does not reveal which one matched.
        foreach (var candidate in _keys)
        {
            var equal = fits ? CryptographicOperations.FixedTimeEquals(candidate.Padded, padded) : CryptographicOperations.FixedTimeEquals(candidate.Digest, digest);
            if (equal && !found)
            {
                key = candidate.Key;
                found = true;
            }
        }
        return found;
    }

    /// <summary>The token's UTF-8 bytes, zero-padded to <see cref="PaddedLength"/>, then its length; false when longer.</summary>
    private static bool TryPad(string token, Span<byte> padded)
    {
        padded.Clear();
        if (Encoding.UTF8.GetMaxByteCount(token.Length) > PaddedLength && Encoding.UTF8.GetByteCount(token) > PaddedLength) return false;
        var length = Encoding.UTF8.GetBytes(token, padded[..PaddedLength]);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(padded[PaddedLength..], length);
        return true;
    }

    /// <summary>A configured token's padded block; a token too long for one (never matched that way) gets none.</summary>
    private static byte[] Padded(string token)
    {
        var padded = new byte[PaddedLength + sizeof(int)];
        return TryPad(token, padded) ? padded : [];
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
        foreach (var candidate in _keys)
        {
            if (candidate.Key.Name != name) continue;
            key = candidate.Key;
            secret = HMACSHA256.HashData(candidate.Digest, Encoding.UTF8.GetBytes(purpose));
            return true;
        }
        key = null!;
        secret = [];
        return false;
    }

    private static byte[] Digest(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    private sealed class Entry(string token, byte[] padded, ClientKey key)
    {
        private byte[]? _digest;

        public byte[] Padded { get; } = padded;

        public ClientKey Key { get; } = key;

        /// <summary>The token's SHA-256, taken once on first use (racing first uses compute the same bytes).</summary>
        public byte[] Digest => _digest ??= ClientKeyRing.Digest(token);
    }
}
