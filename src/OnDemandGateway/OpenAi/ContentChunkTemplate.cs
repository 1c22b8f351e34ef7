using System.Buffers;
using System.Text.Json;

namespace OnDemandGateway.OpenAi;

/// <summary>The bytes of a content chunk that do not change within one stream, encoded once: each delta then costs
/// two copies and one string encoding instead of a dozen JSON writer calls. The output is byte for byte what
/// <see cref="ChatCompletionWriter.WriteChunk"/> writes for <see cref="ChunkKind.Content"/>.</summary>
internal sealed class ContentChunkTemplate
{
    private static ReadOnlySpan<byte> Suffix => "},\"logprobs\":null,\"finish_reason\":null}]}\n\n"u8;

    private readonly byte[] _prefix;

    public ContentChunkTemplate(CompletionIdentity identity)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        buffer.Write("data: "u8);
        using (var writer = new Utf8JsonWriter(buffer, ChatCompletionWriter.WriterOptions))
        {
            writer.WriteStartObject();
            ChatCompletionWriter.WriteHeader(writer, identity, "chat.completion.chunk"u8);
            writer.WriteStartArray("choices"u8);
            writer.WriteStartObject();
            writer.WriteNumber("index"u8, 0);
            writer.WriteStartObject("delta"u8);
            writer.WritePropertyName("content"u8);
        }
        _prefix = buffer.WrittenSpan.ToArray();
    }

    /// <summary>One <c>data: {chunk}\n\n</c> event carrying <paramref name="content"/>; <paramref name="writer"/> is
    /// only used to encode the string (reset onto <paramref name="output"/>).</summary>
    public void Write(IBufferWriter<byte> output, Utf8JsonWriter writer, string content)
    {
        output.Write(_prefix);
        writer.Reset(output);
        writer.WriteStringValue(content);
        writer.Flush();
        output.Write(Suffix);
    }
}
