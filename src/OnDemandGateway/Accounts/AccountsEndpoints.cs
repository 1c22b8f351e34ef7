using System.Text.Json;
using OnDemandGateway.Auth;
using OnDemandGateway.OpenAi;

namespace OnDemandGateway.Accounts;

internal static class AccountsEndpoints
{
    /// <summary><c>GET /api/accounts</c> (authenticated): each credential masked, its state and counts.</summary>
    public static WebApplication MapAccountsApi(this WebApplication app)
    {
        app.MapGet("/api/accounts", async (HttpContext context, ICredentialStatusSource source) =>
        {
            context.Response.ContentType = "application/json";
            using (var writer = new Utf8JsonWriter(context.Response.BodyWriter, ChatCompletionWriter.WriterOptions))
            {
                writer.WriteStartObject();
                writer.WriteStartArray("credentials"u8);
                foreach (var c in source.Snapshot())
                {
                    writer.WriteStartObject();
                    writer.WriteString("id"u8, c.Id);
                    writer.WriteString("kind"u8, c.Kind);
                    writer.WriteString("state"u8, c.State);
                    if (c.CoolingUntil is { } until) writer.WriteString("cooling_until"u8, until); else writer.WriteNull("cooling_until"u8);
                    if (c.LastError is { } error) writer.WriteString("last_error"u8, error); else writer.WriteNull("last_error"u8);
                    writer.WriteNumber("requests"u8, c.Requests);
                    writer.WriteNumber("failures"u8, c.Failures);
                    writer.WriteNumber("in_flight"u8, c.InFlight);
                    writer.WriteEndObject();
                }
                writer.WriteEndArray();
                writer.WriteEndObject();
            }
            await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
        }).RequireGatewayAuth();
        return app;
    }
}
