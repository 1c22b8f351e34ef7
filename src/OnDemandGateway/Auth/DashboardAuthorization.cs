namespace OnDemandGateway.Auth;

/// <summary>Like <see cref="ApiAuthorization.RequireGatewayAuth{TBuilder}"/>, for unsafe endpoints the dashboard
/// posts to: reads a form body first (so its <c>csrf</c> field counts) and answers a missing CSRF token with 403.</summary>
internal static class DashboardAuthorization
{
    public static TBuilder RequireDashboardAuth<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (http.Request.HasFormContentType)
                await http.Request.ReadFormAsync(http.RequestAborted);

            var authenticator = http.RequestServices.GetRequiredService<IRequestAuthenticator>();
            ClientKey key;
            var outcome = authenticator is DashboardSessionAuthenticator dashboard
                ? dashboard.Authenticate(http, out key)
                : authenticator.TryAuthenticate(http, out key) ? DashboardAuthOutcome.Authenticated : DashboardAuthOutcome.Unauthenticated;

            return outcome switch
            {
                DashboardAuthOutcome.Authenticated => await Continue(http, key, context, next),
                DashboardAuthOutcome.CsrfRejected => Results.Json(new { error = "forbidden", message = "A valid CSRF token is required." }, statusCode: StatusCodes.Status403Forbidden),
                _ => Results.Json(new { error = "unauthorized", message = "A valid access token is required." }, statusCode: StatusCodes.Status401Unauthorized),
            };
        });

    private static ValueTask<object?> Continue(HttpContext http, ClientKey key, EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ClientKeyFeature.Set(http, key);
        return next(context);
    }
}
