using System.Security.Cryptography;
using System.Text;
using OnDemandGateway.Configuration;

namespace OnDemandGateway.Cluster;

/// <summary>The id under which a credential's state is shared: a SHA-256 of its kind and secret (API key, or
/// email and password), so instances with the same configuration agree without the secret ever being stored,
/// and the id reveals nothing a guess of the email alone could confirm.</summary>
internal static class CredentialIdentity
{
    public static string Of(CredentialOptions credential)
    {
        var material = credential.Kind == CredentialKind.ApiKey
            ? $"odg-credential-v1\napi_key\n{credential.ApiKey}"
            : $"odg-credential-v1\naccount\n{credential.Email?.Trim().ToLowerInvariant()}\n{credential.Password}";
        return "c1_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(material)))[..40];
    }
}
