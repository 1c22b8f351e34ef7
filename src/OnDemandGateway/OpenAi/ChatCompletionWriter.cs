using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using OnDemandGateway.Relay;

namespace OnDemandGateway.OpenAi;

/// <summary>Writes OpenAI's <c>chat.completion</c> objects and <c>chat.completion.chunk</c> SSE events straight
/// into the response's buffer writer: no DTOs, no intermediate strings.</summary>
internal static class ChatCompletionWriter
{
    /// <summary>JSON for an API, not HTML: keep non-ASCII text as UTF-8 instead of \u escapes.</summary>
    public static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = Encoder, SkipValidation = true };

    private static ReadOnlySpan<byte> DataPrefix => "data: "u8;
    private static ReadOnlySpan<byte> EventEnd => "\n\n"u8;
    public static ReadOnlySpan<byte> DoneEvent => "data: [DONE]\n\n"u8;
    public static ReadOnlySpan<byte> KeepAliveComment => ": keep-alive\n\n"u8;

    public static void WriteCompletion(Utf8JsonWriter writer, CompletionIdentity identity, string content, TokenCount usage, bool cutAtLimit)
    {
        writer.WriteStartObject();
        WriteHeader(writer, identity, "chat.completion"u8);
        writer.WriteStartArray("choices"u8);
        writer.WriteStartObject();
        writer.WriteNumber("index"u8, 0);
        writer.WriteStartObject("message"u8);
        writer.WriteString("role"u8, "assistant"u8);
        writer.WriteString("content"u8, content);
        writer.WriteNull("refusal"u8);
        writer.WriteEndObject();
        writer.WriteNull("logprobs"u8);
        writer.WriteString("finish_reason"u8, cutAtLimit ? "length"u8 : "stop"u8);
        writer.WriteEndObject();
        writer.WriteEndArray();
        WriteUsage(writer, usage);
        writer.WriteEndObject();
        writer.Flush();
    }

    /// <summary>One SSE event: <c>data: {chunk}\n\n</c>. Exactly one of role/content/finish is written in the delta.</summary>
    public static void WriteChunk(IBufferWriter<byte> output, Utf8JsonWriter writer, CompletionIdentity identity, ChunkKind kind, string? content = null)
    {
        output.Write(DataPrefix);
        writer.Reset(output);
        writer.WriteStartObject();
        WriteHeader(writer, identity, "chat.completion.chunk"u8);
        writer.WriteStartArray("choices"u8);
        writer.WriteStartObject();
        writer.WriteNumber("index"u8, 0);
        writer.WriteStartObject("delta"u8);
        switch (kind)
        {
            case ChunkKind.Role:
                writer.WriteString("role"u8, "assistant"u8);
                writer.WriteString("content"u8, ""u8);
                break;
            case ChunkKind.Content:
                writer.WriteString("content"u8, content);
                break;
        }
        writer.WriteEndObject();
        writer.WriteNull("logprobs"u8);
        if (kind == ChunkKind.Finish) writer.WriteString("finish_reason"u8, "stop"u8);
        else if (kind == ChunkKind.FinishAtLimit) writer.WriteString("finish_reason"u8, "length"u8);
        else writer.WriteNull("finish_reason"u8);
        writer.WriteEndObject();
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.Flush();
        output.Write(EventEnd);
    }

    /// <summary>The <c>stream_options.include_usage</c> chunk: <c>choices: []</c> plus usage.</summary>
    public static void WriteUsageChunk(IBufferWriter<byte> output, Utf8JsonWriter writer, CompletionIdentity identity, TokenCount usage)
    {
        output.Write(DataPrefix);
        writer.Reset(output);
        writer.WriteStartObject();
        WriteHeader(writer, identity, "chat.completion.chunk"u8);
        writer.WriteStartArray("choices"u8);
        writer.WriteEndArray();
        WriteUsage(writer, usage);
        writer.WriteEndObject();
        writer.Flush();
        output.Write(EventEnd);
    }

    /// <summary>An in-band failure after the response is committed: <c>data: {"error":{...}}</c>.</summary>
    public static void WriteErrorEvent(IBufferWriter<byte> output, Utf8JsonWriter writer, OpenAiError error)
    {
        output.Write(DataPrefix);
        writer.Reset(output);
        writer.WriteStartObject();
        OpenAiErrorWriter.WriteErrorObject(writer, error);
        writer.WriteEndObject();
        writer.Flush();
        output.Write(EventEnd);
    }

    internal static void WriteHeader(Utf8JsonWriter writer, CompletionIdentity identity, ReadOnlySpan<byte> objectType)
    {
        writer.WriteString("id"u8, identity.Id);
        writer.WriteString("object"u8, objectType);
        writer.WriteNumber("created"u8, identity.Created);
        writer.WriteString("model"u8, identity.Model);
        writer.WriteNull("system_fingerprint"u8);
    }

    private static void WriteUsage(Utf8JsonWriter writer, TokenCount usage)
    {
        writer.WriteStartObject("usage"u8);
        writer.WriteNumber("prompt_tokens"u8, usage.PromptTokens);
        writer.WriteNumber("completion_tokens"u8, usage.CompletionTokens);
        writer.WriteNumber("total_tokens"u8, usage.PromptTokens + usage.CompletionTokens);
        writer.WriteEndObject();
    }
}

/// <summary>The chunk's part: the role, a content delta, the end of the answer (<c>finish_reason: "stop"</c>), or
/// its end at the request's token limit (<c>"length"</c>, see <see cref="FinishReason"/>).</summary>
internal enum ChunkKind { Role, Content, Finish, FinishAtLimit }
