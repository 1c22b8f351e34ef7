namespace OnDemandGateway.Auth;

/// <summary>Route-group filter for the JSON APIs under <c>/api</c> (not <c>/v1</c>, which answers in OpenAI's envelope).</summary>
public static class ApiAuthorization
{
    public static TBuilder RequireGatewayAuth<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var throttle = http.RequestServices.GetRequiredService<AuthFailureThrottle>();
            if (throttle.BlockedFor(http) is { } wait)
            {
                http.Response.Headers.RetryAfter = wait.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return Results.Json(new { error = "too_many_auth_failures", message = $"Too many failed authentication attempts. Retry in {wait} s." }, statusCode: StatusCodes.Status429TooManyRequests);
            }
            var authenticator = http.RequestServices.GetRequiredService<IRequestAuthenticator>();
            if (!authenticator.TryAuthenticate(http, out var key))
            {
                throttle.RecordFailure(http);
                return Results.Json(new { error = "unauthorized", message = "A valid access token is required." }, statusCode: StatusCodes.Status401Unauthorized);
            }
            ClientKeyFeature.Set(http, key);
            return await next(context);
        });
}
