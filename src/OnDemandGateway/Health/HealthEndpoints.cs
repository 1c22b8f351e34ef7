using System.Text.Json;
using OnDemandGateway.Accounts;
using OnDemandGateway.Auth;
using OnDemandGateway.OpenAi;

namespace OnDemandGateway.Health;

internal static class HealthEndpoints
{
    /// <summary><c>GET /health</c>: the Flask proxy's <c>{"status":"ok"}</c> plus readiness details (no secrets,
    /// no auth: load balancers call it).</summary>
    public static WebApplication MapHealth(this WebApplication app)
    {
        var started = DateTimeOffset.UtcNow;
        app.MapGet("/health", async context =>
        {
            var services = context.RequestServices;
            var credentials = services.GetRequiredService<ICredentialStatusSource>().Snapshot();
            var keys = services.GetRequiredService<ClientKeyRing>();
            var time = services.GetRequiredService<TimeProvider>();
            int ok = 0, cooling = 0, invalid = 0;
            foreach (var c in credentials)
            {
                if (c.State == CredentialStates.Ok) ok++;
                else if (c.State == CredentialStates.Cooling) cooling++;
                else invalid++;
            }
            var ready = ok > 0;
            context.Response.ContentType = "application/json";
            using (var writer = new Utf8JsonWriter(context.Response.BodyWriter, ChatCompletionWriter.WriterOptions))
            {
                writer.WriteStartObject();
                writer.WriteString("status"u8, "ok"u8);
                writer.WriteBoolean("ready"u8, ready);
                writer.WriteString("timestamp"u8, time.GetUtcNow());
                writer.WriteNumber("uptime_seconds"u8, Math.Round((time.GetUtcNow() - started).TotalSeconds));
                writer.WriteStartObject("credentials"u8);
                writer.WriteNumber("total"u8, credentials.Count);
                writer.WriteNumber("ok"u8, ok);
                writer.WriteNumber("cooling"u8, cooling);
                writer.WriteNumber("invalid"u8, invalid);
                writer.WriteEndObject();
                writer.WriteNumber("client_keys"u8, keys.Count);
                if (credentials.Count == 0) writer.WriteString("message"u8, "No on-demand.io credentials configured: set ONDEMAND_API_KEYS or ONDEMAND_ACCOUNTS, or \"accounts\" in config.json.");
                else if (!ready) writer.WriteString("message"u8, "Every credential is cooling down or invalid; see GET /api/accounts.");
                writer.WriteEndObject();
            }
            await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
        });
        return app;
    }
}
