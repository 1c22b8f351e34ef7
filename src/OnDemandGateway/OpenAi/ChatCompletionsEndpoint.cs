using System.Globalization;
using OnDemandGateway.Configuration;
using OnDemandGateway.Models;
using OnDemandGateway.RateLimiting;
using OnDemandGateway.Relay;
using OnDemandGateway.Upstream;

namespace OnDemandGateway.OpenAi;

/// <summary><c>POST /v1/chat/completions</c>: authenticate → rate limit → read and validate → resolve the model
/// → relay. Each step answers a client's mistake with a 4xx in OpenAI's envelope.</summary>
internal sealed class ChatCompletionsEndpoint(
    GatewayOptions options,
    IRateLimitPolicy rateLimit,
    ModelCatalog models,
    ChatRelay relay,
    TimeProvider time)
{
    public const string EndpointHeader = "x-ondemand-endpoint-id";

    public async Task HandleAsync(HttpContext context)
    {
        var startedAt = time.GetTimestamp();
        var key = await OpenAiAuthentication.AuthenticateAsync(context);
        if (key is null) return;

        var decision = await rateLimit.AcquireAsync(key, context.RequestAborted);
        if (!decision.IsUnlimited) WriteRateLimitHeaders(context.Response, decision);
        if (!decision.Allowed)
        {
            var wait = RelayErrors.Seconds(decision.ResetAt - time.GetUtcNow());
            await OpenAiErrorWriter.WriteAsync(context, new OpenAiError(429,
                $"Rate limit reached for key '{key.Name}': {decision.Limit} requests per minute. Retry in {wait} s.",
                "rate_limit_error", null, "rate_limit_exceeded") { RetryAfterSeconds = wait });
            return;
        }

        var (buffer, length, readError) = await RequestBodyReader.ReadAsync(context, options.MaxRequestBodyBytes);
        ChatRequest? chat;
        OpenAiError? parseError;
        try
        {
            if (readError is not null)
            {
                await OpenAiErrorWriter.WriteAsync(context, readError);
                return;
            }
            (chat, parseError) = ChatRequestParser.Parse(buffer.AsMemory(0, length), options.Tools, options.DropUnsupportedParams);
        }
        finally
        {
            RequestBodyReader.Return(buffer);
        }
        if (parseError is not null)
        {
            await OpenAiErrorWriter.WriteAsync(context, parseError);
            return;
        }

        if (models.Resolve(chat!.Model) is not { } model)
        {
            await OpenAiErrorWriter.WriteAsync(context, new OpenAiError(404,
                $"The model '{chat.Model}' does not exist or is not mapped to an on-demand.io endpoint. See GET /v1/models.",
                "invalid_request_error", "model", "model_not_found"));
            return;
        }
        context.Response.Headers[EndpointHeader] = model.EndpointId;

        var query = new UpstreamQuery(QueryComposer.Compose(chat.Messages), model.EndpointId, new ModelConfigs
        {
            FulfillmentPrompt = options.FulfillmentPrompt,
            Temperature = chat.Temperature,
            TopP = chat.TopP,
            // OpenAI allows -2..2, on-demand.io 0..2: a negative penalty is sent as 0 (neutral) instead of failing.
            PresencePenalty = chat.PresencePenalty is { } presence ? Math.Max(0, presence) : null,
            FrequencyPenalty = chat.FrequencyPenalty is { } frequency ? Math.Max(0, frequency) : null,
            StopSequences = chat.Stop,
            MaxTokens = chat.MaxTokens,
        });
        await relay.RelayAsync(context, new RelayRequest(key, chat, model, query, startedAt));
    }

    private void WriteRateLimitHeaders(HttpResponse response, RateLimitDecision decision)
    {
        var headers = response.Headers;
        headers["x-ratelimit-limit-requests"] = decision.Limit.ToString(CultureInfo.InvariantCulture);
        headers["x-ratelimit-remaining-requests"] = decision.Remaining.ToString(CultureInfo.InvariantCulture);
        headers["x-ratelimit-reset-requests"] = RelayErrors.Seconds(decision.ResetAt - time.GetUtcNow()).ToString(CultureInfo.InvariantCulture) + "s";
    }
}
