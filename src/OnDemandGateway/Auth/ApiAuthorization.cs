namespace OnDemandGateway.Auth;

/// <summary>Route-group filter for the JSON APIs under <c>/api</c> (not <c>/v1</c>, which answers in OpenAI's envelope).</summary>
public static class ApiAuthorization
{
    public static TBuilder RequireGatewayAuth<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var authenticator = http.RequestServices.GetRequiredService<IRequestAuthenticator>();
            if (!authenticator.TryAuthenticate(http, out var key))
                return Results.Json(new { error = "unauthorized", message = "A valid access token is required." }, statusCode: StatusCodes.Status401Unauthorized);
            ClientKeyFeature.Set(http, key);
            return await next(context);
        });
}
