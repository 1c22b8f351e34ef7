using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace OnDemandGateway.Auth;

/// <summary>
/// Stateless dashboard sessions, so any gateway instance with the same client keys accepts them:
/// the cookie is <c>keyName|expiryUnix|HMAC-SHA256(secret, keyName|expiryUnix)</c>, where the secret is derived
/// from that key's token. Rotating or removing the token therefore ends its sessions without a session store.
/// The CSRF token is a second HMAC over the whole cookie value, so it needs no storage either.
/// </summary>
internal sealed class DashboardSessions(ClientKeyRing keys, TimeProvider time)
{
    public const string CookieName = "odg_session";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    // Domain separation: a secret derived for sessions is useless for anything else derived from the same token.
    private const string Purpose = "odg-dashboard-session-v1";

    /// <summary>Issues a session value for an authenticated key, valid for <see cref="Lifetime"/>.</summary>
    public string Issue(ClientKey key)
    {
        if (!keys.TryDeriveSecret(key.Name, Purpose, out _, out var secret))
            throw new InvalidOperationException("The client key is not configured.");
        var expiry = time.GetUtcNow().Add(Lifetime).ToUnixTimeSeconds();
        var payload = string.Concat(key.Name, "|", expiry.ToString(CultureInfo.InvariantCulture));
        return string.Concat(payload, "|", Base64Url.EncodeToString(Sign(secret, payload)));
    }

    public DateTimeOffset ExpiresAt(string value) =>
        TryParse(value, out _, out var expiry, out _) ? DateTimeOffset.FromUnixTimeSeconds(expiry) : DateTimeOffset.MinValue;

    public bool TryValidate(string? value, out ClientKey key)
    {
        key = null!;
        if (string.IsNullOrEmpty(value) || !TryParse(value, out var name, out var expiry, out var signature)) return false;
        if (!keys.TryDeriveSecret(name, Purpose, out var found, out var secret)) return false;
        var expected = Sign(secret, value[..value.LastIndexOf('|')]);
        if (!CryptographicOperations.FixedTimeEquals(expected, signature)) return false;
        if (time.GetUtcNow().ToUnixTimeSeconds() >= expiry) return false;
        key = found;
        return true;
    }

    /// <summary>The CSRF token the page must send back on unsafe requests made with this session.</summary>
    public string CsrfToken(string sessionValue)
    {
        if (!TryParse(sessionValue, out var name, out _, out _) || !keys.TryDeriveSecret(name, Purpose, out _, out var secret))
            return "";
        return Base64Url.EncodeToString(Sign(secret, "csrf|" + sessionValue));
    }

    public bool IsValidCsrf(string sessionValue, string? csrf)
    {
        if (string.IsNullOrEmpty(csrf)) return false;
        var expected = CsrfToken(sessionValue);
        return expected.Length > 0 && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(csrf));
    }

    private static byte[] Sign(byte[] secret, string payload) => HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(payload));

    // Parsed from the right: key names may themselves contain '|'.
    private static bool TryParse(string value, out string name, out long expiry, out byte[] signature)
    {
        name = "";
        expiry = 0;
        signature = [];
        var last = value.LastIndexOf('|');
        if (last <= 0) return false;
        var middle = value.LastIndexOf('|', last - 1);
        if (middle <= 0) return false;
        name = value[..middle];
        if (!long.TryParse(value.AsSpan(middle + 1, last - middle - 1), NumberStyles.None, CultureInfo.InvariantCulture, out expiry)) return false;
        try
        {
            signature = Base64Url.DecodeFromChars(value.AsSpan(last + 1));
        }
        catch (FormatException)
        {
            return false;
        }
        return signature.Length == 32;
    }
}
