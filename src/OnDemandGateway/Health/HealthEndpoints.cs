using System.Text.Json;
using OnDemandGateway.Accounts;
using OnDemandGateway.Auth;
using OnDemandGateway.Cluster;
using OnDemandGateway.OpenAi;
using OnDemandGateway.Usage;

namespace OnDemandGateway.Health;

internal static class HealthEndpoints
{
    /// <summary><c>GET /health</c>: the Flask proxy's <c>{"status":"ok"}</c> plus readiness details (no secrets,
    /// no auth: load balancers call it). <c>"status":"degraded"</c> (still HTTP 200: the instance serves) when
    /// usage storage is failing or shared state has fallen back to this instance's memory; <c>storage</c> and
    /// <c>shared_state</c> say which and why.</summary>
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
            var storage = services.GetService<UsageDatabaseInitializer>();
            var usage = services.GetService<UsageWriter>();
            var store = services.GetService<IUsageStore>();
            var storageError = storage?.Error ?? usage?.LastError;
            var storageOk = storageError is null && storage?.Ready != false;
            var cluster = services.GetService<ClusterState>();
            var degraded = !storageOk || cluster?.Healthy == false;
            context.Response.ContentType = "application/json";
            using (var writer = new Utf8JsonWriter(context.Response.BodyWriter, ChatCompletionWriter.WriterOptions))
            {
                writer.WriteStartObject();
                writer.WriteString("status"u8, degraded ? "degraded"u8 : "ok"u8);
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
                if (store is not null)
                {
                    writer.WriteStartObject("storage"u8);
                    writer.WriteString("kind"u8, store.Kind);
                    writer.WriteBoolean("ok"u8, storageOk);
                    WriteNullable(writer, "error"u8, storageError);
                    if (usage is not null)
                    {
                        writer.WriteNumber("pending"u8, usage.Pending);
                        writer.WriteNumber("dropped"u8, usage.Dropped);
                    }
                    writer.WriteEndObject();
                }
                if (cluster is not null) WriteSharedState(writer, cluster);
                if (credentials.Count == 0) writer.WriteString("message"u8, "No on-demand.io credentials configured: set ONDEMAND_API_KEYS or ONDEMAND_ACCOUNTS, or \"accounts\" in config.json.");
                else if (!ready) writer.WriteString("message"u8, "Every credential is cooling down or invalid; see GET /api/accounts.");
                writer.WriteEndObject();
            }
            await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
        });
        return app;
    }

    /// <summary>"shared" when the piece works through PostgreSQL, "local" while it falls back to this
    /// instance's memory (then N instances together may admit up to N times a rate limit).</summary>
    private static void WriteSharedState(Utf8JsonWriter writer, ClusterState cluster)
    {
        writer.WriteStartObject("shared_state"u8);
        writer.WriteBoolean("enabled"u8, cluster.Enabled);
        if (cluster.Enabled)
        {
            writer.WriteBoolean("ok"u8, cluster.Healthy);
            foreach (var component in (SharedComponentState[])[cluster.Schema, cluster.RateLimit, cluster.Credentials])
            {
                writer.WriteStartObject(component.Name);
                writer.WriteString("mode"u8, component.IsShared ? "shared"u8 : "local"u8);
                WriteNullable(writer, "error"u8, component.Error);
                if (component.Since is { } since) writer.WriteString("since"u8, since); else writer.WriteNull("since"u8);
                writer.WriteEndObject();
            }
            writer.WriteString("client_token"u8, cluster.ClientToken);
        }
        writer.WriteEndObject();
    }

    private static void WriteNullable(Utf8JsonWriter writer, ReadOnlySpan<byte> name, string? value)
    {
        if (value is null) writer.WriteNull(name); else writer.WriteString(name, value);
    }
}
