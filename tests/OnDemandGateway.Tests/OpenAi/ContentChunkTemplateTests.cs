using System.Buffers;
using System.Text;
using System.Text.Json;
using OnDemandGateway.OpenAi;

namespace OnDemandGateway.Tests.OpenAi;

/// <summary>The per-stream content chunk template writes exactly what the general chunk writer writes.</summary>
public sealed class ContentChunkTemplateTests
{
    [Theory]
    [InlineData("Hello")]
    [InlineData("")]
    [InlineData("quote \" backslash \\ newline \n tab \t")]
    [InlineData("héllo wörld — 你好 🙂")]
    [InlineData("</script><b>&amp;</b>")]
    [InlineData("\u0001\u001f control")]
    public void Write_AnyContent_MatchesTheGeneralChunkWriter(string content)
    {
        var identity = new CompletionIdentity("chatcmpl-\"odd\"-id", 1_700_000_000, "gpt-4o \"mini\"");
        var expected = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(expected, ChatCompletionWriter.WriterOptions))
        {
            ChatCompletionWriter.WriteChunk(expected, writer, identity, ChunkKind.Content, content);
        }

        var actual = new ArrayBufferWriter<byte>();
        var template = new ContentChunkTemplate(identity);
        using (var writer = new Utf8JsonWriter(actual, ChatCompletionWriter.WriterOptions))
        {
            template.Write(actual, writer, content);
            template.Write(actual, writer, content); // the writer is reused for every delta of a stream
        }

        var one = Encoding.UTF8.GetString(expected.WrittenSpan);
        Assert.Equal(one + one, Encoding.UTF8.GetString(actual.WrittenSpan));
        using var json = JsonDocument.Parse(one["data: ".Length..].TrimEnd('\n'));
        Assert.Equal(content, json.RootElement.GetProperty("choices")[0].GetProperty("delta").GetProperty("content").GetString());
    }
}
