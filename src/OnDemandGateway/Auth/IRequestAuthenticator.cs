namespace OnDemandGateway.Auth;

/// <summary>Decides who is calling. The default reads a token header; the dashboard adds its cookie session.</summary>
public interface IRequestAuthenticator
{
    bool TryAuthenticate(HttpContext context, out ClientKey key);
}
