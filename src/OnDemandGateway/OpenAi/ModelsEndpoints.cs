using System.Text.Json;
using OnDemandGateway.Configuration;
using OnDemandGateway.Models;

namespace OnDemandGateway.OpenAi;

/// <summary><c>GET /v1/models</c> and <c>GET /v1/models/{id}</c> (ids may hold '/') in OpenAI's shape, from the model table.</summary>
internal static class ModelsEndpoints
{
    public static async Task ListAsync(HttpContext context)
    {
        if (!await AuthorizeAsync(context)) return;
        var catalog = context.RequestServices.GetRequiredService<ModelCatalog>();
        var created = Created(context);
        await WriteJsonAsync(context, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("object"u8, "list"u8);
            writer.WriteStartArray("data"u8);
            foreach (var (name, endpointId) in catalog.Mapping.OrderBy(p => p.Key, StringComparer.Ordinal)) WriteModel(writer, name, endpointId, created);
            writer.WriteEndArray();
            writer.WriteEndObject();
        });
    }

    public static async Task GetAsync(HttpContext context)
    {
        if (!await AuthorizeAsync(context)) return;
        // Kestrel decodes the path except %2F, which openai-node sends for a '/' inside the id.
        var id = (context.Request.RouteValues["id"] as string ?? "").Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
        var catalog = context.RequestServices.GetRequiredService<ModelCatalog>();
        string? endpointId = catalog.Mapping.TryGetValue(id, out var mapped) ? mapped : ModelCatalog.IsEndpointId(id) ? id : null;
        if (endpointId is null)
        {
            await OpenAiErrorWriter.WriteAsync(context, new OpenAiError(404, $"The model '{id}' does not exist.", "invalid_request_error", "model", "model_not_found"));
            return;
        }
        var created = Created(context);
        await WriteJsonAsync(context, writer => WriteModel(writer, id, endpointId, created));
    }

    private static async ValueTask<bool> AuthorizeAsync(HttpContext context)
    {
        var options = context.RequestServices.GetRequiredService<GatewayOptions>();
        return !options.ModelsRequireAuth || await OpenAiAuthentication.AuthenticateAsync(context) is not null;
    }

    private static long Created(HttpContext context) =>
        context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow().ToUnixTimeSeconds();

    private static void WriteModel(Utf8JsonWriter writer, string id, string endpointId, long created)
    {
        writer.WriteStartObject();
        writer.WriteString("id"u8, id);
        writer.WriteString("object"u8, "model"u8);
        writer.WriteNumber("created"u8, created);
        writer.WriteString("owned_by"u8, "on-demand.io"u8);
        writer.WriteString("endpoint_id"u8, endpointId);
        writer.WriteEndObject();
    }

    private static async Task WriteJsonAsync(HttpContext context, Action<Utf8JsonWriter> write)
    {
        context.Response.ContentType = "application/json";
        using (var writer = new Utf8JsonWriter(context.Response.BodyWriter, ChatCompletionWriter.WriterOptions))
        {
            write(writer);
        }
        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }
}
