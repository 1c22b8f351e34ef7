using System.Text.Json;

namespace OnDemandGateway.OpenAi;

/// <summary>What every chunk of one completion repeats, JSON-encoded once per request.</summary>
internal sealed class CompletionIdentity(string id, long created, string model)
{
    public JsonEncodedText Id { get; } = JsonEncodedText.Encode(id, ChatCompletionWriter.Encoder);
    public long Created { get; } = created;
    public JsonEncodedText Model { get; } = JsonEncodedText.Encode(model, ChatCompletionWriter.Encoder);

    public static string NewId() => "chatcmpl-" + Runtime.UniqueIds.Next();
}
