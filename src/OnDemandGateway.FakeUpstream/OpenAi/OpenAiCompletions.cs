using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using OnDemandGateway.FakeUpstream.Streaming;

namespace OnDemandGateway.FakeUpstream.OpenAi;

/// <summary><c>POST /v1/chat/completions</c> answering canned, pre-encoded OpenAI responses: the upstream behind a
/// plain reverse proxy, as a benchmark baseline. Bodies are built once per model name, so the hot path only
/// scans the request and copies bytes.</summary>
internal sealed class OpenAiCompletions(FakeOnDemandOptions options)
{
    public const string CannedText = "Fake answer to: the benchmark prompt, served by the OpenAI-shaped fake upstream.";
    private const int PromptTokens = 12;
    private const int MaxCachedModels = 32;

    private readonly ConcurrentDictionary<string, CannedCompletion> _cache = new(StringComparer.Ordinal);
    private readonly string _text = options.AnswerText ?? CannedText;
    private readonly long _created = options.TimeProvider.GetUtcNow().ToUnixTimeSeconds();

    public async Task HandleAsync(HttpContext ctx, byte[] body)
    {
        if (!TryParse(body, out var request))
        {
            ctx.Response.StatusCode = 400;
            ctx.Response.ContentType = "application/json";
            await ctx.Response.Body.WriteAsync(
                """{"error":{"message":"Body must be a JSON object with a messages array.","type":"invalid_request_error","param":null,"code":null}}"""u8.ToArray(),
                ctx.RequestAborted);
            return;
        }

        var canned = _cache.TryGetValue(request.Model, out var c) ? c : Build(request.Model);
        var ct = ctx.RequestAborted;
        if (!request.Stream)
        {
            await Task.Delay(options.DeltaDelay * canned.ContentChunks.Length, options.TimeProvider, ct);
            ctx.Response.ContentType = "application/json";
            ctx.Response.ContentLength = canned.Completion.Length;
            await ctx.Response.BodyWriter.WriteAsync(canned.Completion, ct);
            return;
        }

        ctx.Response.ContentType = "text/event-stream";
        ctx.Response.Headers.CacheControl = "no-cache";
        var pipe = ctx.Response.BodyWriter;
        await pipe.WriteAsync(canned.RoleChunk, ct);
        foreach (var chunk in canned.ContentChunks)
        {
            if (options.DeltaDelay > TimeSpan.Zero)
            {
                await Task.Delay(options.DeltaDelay, options.TimeProvider, ct);
            }

            await pipe.WriteAsync(chunk, ct);
        }

        pipe.Write(canned.FinishChunk);
        if (request.IncludeUsage)
        {
            pipe.Write(canned.UsageChunk);
        }

        pipe.Write("data: [DONE]\n\n"u8);
        await pipe.FlushAsync(ct);
    }

    private CannedCompletion Build(string model)
    {
        var pieces = DefaultAnswer.Split(_text, options.StreamDeltas);
        var canned = new CannedCompletion(
            Json(w =>
            {
                Header(w, model, "chat.completion");
                w.WriteStartArray("choices"u8);
                w.WriteStartObject();
                w.WriteNumber("index"u8, 0);
                w.WriteStartObject("message"u8);
                w.WriteString("role"u8, "assistant");
                w.WriteString("content"u8, _text);
                w.WriteEndObject();
                w.WriteString("finish_reason"u8, "stop");
                w.WriteEndObject();
                w.WriteEndArray();
                Usage(w, pieces.Count);
            }),
            Chunk(model, w => w.WriteString("role"u8, "assistant"), null),
            [.. pieces.Select(p => Chunk(model, w => w.WriteString("content"u8, p), null))],
            Chunk(model, _ => { }, "stop"),
            Frame(Json(w =>
            {
                Header(w, model, "chat.completion.chunk");
                w.WriteStartArray("choices"u8);
                w.WriteEndArray();
                Usage(w, pieces.Count);
            })));
        if (_cache.Count < MaxCachedModels)
        {
            _cache.TryAdd(model, canned);
        }

        return canned;
    }

    private byte[] Chunk(string model, Action<Utf8JsonWriter> delta, string? finishReason) => Frame(Json(w =>
    {
        Header(w, model, "chat.completion.chunk");
        w.WriteStartArray("choices"u8);
        w.WriteStartObject();
        w.WriteNumber("index"u8, 0);
        w.WriteStartObject("delta"u8);
        delta(w);
        w.WriteEndObject();
        if (finishReason is null)
        {
            w.WriteNull("finish_reason"u8);
        }
        else
        {
            w.WriteString("finish_reason"u8, finishReason);
        }

        w.WriteEndObject();
        w.WriteEndArray();
    }));

    private void Header(Utf8JsonWriter w, string model, string type)
    {
        w.WriteString("id"u8, "chatcmpl-fake");
        w.WriteString("object"u8, type);
        w.WriteNumber("created"u8, _created);
        w.WriteString("model"u8, model);
    }

    private static void Usage(Utf8JsonWriter w, int completionTokens)
    {
        w.WriteStartObject("usage"u8);
        w.WriteNumber("prompt_tokens"u8, PromptTokens);
        w.WriteNumber("completion_tokens"u8, completionTokens);
        w.WriteNumber("total_tokens"u8, PromptTokens + completionTokens);
        w.WriteEndObject();
    }

    private static byte[] Json(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] Frame(byte[] json) => [.. "data: "u8, .. json, .. "\n\n"u8];

    private static bool TryParse(byte[] body, out OpenAiRequest request)
    {
        request = default;
        string model = "gpt-4o";
        bool stream = false, includeUsage = false, hasMessages = false;
        try
        {
            var r = new Utf8JsonReader(body);
            if (!r.Read() || r.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (r.ValueTextEquals("model"u8))
                {
                    r.Read();
                    model = r.TokenType == JsonTokenType.String ? r.GetString() ?? model : model;
                }
                else if (r.ValueTextEquals("stream"u8))
                {
                    r.Read();
                    stream = r.TokenType == JsonTokenType.True;
                }
                else if (r.ValueTextEquals("messages"u8))
                {
                    r.Read();
                    hasMessages = r.TokenType == JsonTokenType.StartArray;
                    r.Skip();
                }
                else if (r.ValueTextEquals("stream_options"u8))
                {
                    r.Read();
                    if (r.TokenType == JsonTokenType.StartObject)
                    {
                        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
                        {
                            var isUsage = r.ValueTextEquals("include_usage"u8);
                            r.Read();
                            includeUsage |= isUsage && r.TokenType == JsonTokenType.True;
                            r.Skip();
                        }
                    }
                }
                else
                {
                    r.Read();
                    r.Skip();
                }
            }
        }
        catch (JsonException)
        {
            return false;
        }

        request = new OpenAiRequest(model, stream, includeUsage);
        return hasMessages;
    }
}
