namespace OnDemandGateway.OpenAi;

internal static class OpenAiEndpoints
{
    /// <summary>The OpenAI-compatible surface under <c>/v1</c>; unknown <c>/v1</c> paths answer in OpenAI's envelope.</summary>
    public static WebApplication MapOpenAi(this WebApplication app)
    {
        app.MapPost("/v1/chat/completions", context => context.RequestServices.GetRequiredService<ChatCompletionsEndpoint>().HandleAsync(context));
        app.MapGet("/v1/models", ModelsEndpoints.ListAsync);
        // Catch-all: names such as "openai/gpt-4o" (OpenRouter/LiteLLM style) span path segments.
        app.MapGet("/v1/models/{**id}", ModelsEndpoints.GetAsync);
        app.Map("/v1/{**rest}", context => OpenAiErrorWriter.WriteAsync(context, new OpenAiError(404,
            $"Unknown endpoint: {context.Request.Method} {context.Request.Path}. This gateway serves POST /v1/chat/completions and GET /v1/models.",
            "invalid_request_error", null, "unknown_url")));
        return app;
    }
}
