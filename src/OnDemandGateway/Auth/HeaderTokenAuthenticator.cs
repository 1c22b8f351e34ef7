namespace OnDemandGateway.Auth;

/// <summary>Authenticates <c>Authorization: Bearer</c> or <c>X-API-KEY</c> against the key ring.</summary>
public sealed class HeaderTokenAuthenticator(ClientKeyRing keys) : IRequestAuthenticator
{
    public bool TryAuthenticate(HttpContext context, out ClientKey key) =>
        keys.TryAuthenticate(ClientKeyRing.ReadToken(context.Request), out key);
}
