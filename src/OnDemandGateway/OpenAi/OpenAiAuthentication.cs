using OnDemandGateway.Auth;

namespace OnDemandGateway.OpenAi;

/// <summary>Client authentication for <c>/v1/*</c>, answering failures in OpenAI's envelope.</summary>
internal static class OpenAiAuthentication
{
    private static readonly OpenAiError Missing = new(401,
        "You didn't provide an API key. Send your gateway access token as 'Authorization: Bearer <token>' or 'X-API-KEY: <token>'.",
        "invalid_request_error", null, "missing_api_key");

    private static readonly OpenAiError Wrong = new(401, "Incorrect API key provided.", "invalid_request_error", null, "invalid_api_key");

    public static async ValueTask<ClientKey?> AuthenticateAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var throttle = services.GetRequiredService<AuthFailureThrottle>();
        if (throttle.BlockedFor(context) is { } wait)
        {
            await OpenAiErrorWriter.WriteAsync(context, new OpenAiError(429,
                $"Too many failed authentication attempts from this address. Retry in {wait} s.",
                "rate_limit_error", null, "too_many_auth_failures") { RetryAfterSeconds = wait });
            return null;
        }
        var authenticator = services.GetRequiredService<IRequestAuthenticator>();
        if (authenticator.TryAuthenticate(context, out var key))
        {
            ClientKeyFeature.Set(context, key);
            return key;
        }
        throttle.RecordFailure(context);
        var error = ClientKeyRing.ReadToken(context.Request) is null ? Missing : Wrong;
        context.Response.Headers.WWWAuthenticate = "Bearer";
        await OpenAiErrorWriter.WriteAsync(context, error);
        return null;
    }
}
