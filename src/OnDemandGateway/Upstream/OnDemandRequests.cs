using System.Buffers;
using System.Text.Json;

namespace OnDemandGateway.Upstream;

/// <summary>Builds the upstream's JSON request bodies with a <see cref="Utf8JsonWriter"/> (no reflection). Every upstream
/// request is a POST with a JSON body (<see cref="Http.UpstreamHttpClient"/> adds the Content-Type).</summary>
internal static class OnDemandRequests
{
    public static ReadOnlyMemory<byte> Query(UpstreamQuery query, bool stream)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + query.Query.Length * 2);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("query"u8, query.Query);
            writer.WriteString("endpointId"u8, query.EndpointId);
            writer.WriteStartArray("pluginIds"u8);
            writer.WriteEndArray();
            writer.WriteString("responseMode"u8, stream ? "stream"u8 : "sync"u8);
            var c = query.Configs;
            if (!c.IsEmpty)
            {
                writer.WriteStartObject("modelConfigs"u8);
                if (c.FulfillmentPrompt is { } prompt) writer.WriteString("fulfillmentPrompt"u8, prompt);
                if (c.Temperature is { } temperature) writer.WriteNumber("temperature"u8, temperature);
                if (c.TopP is { } topP) writer.WriteNumber("topP"u8, topP);
                if (c.PresencePenalty is { } presence) writer.WriteNumber("presencePenalty"u8, presence);
                if (c.FrequencyPenalty is { } frequency) writer.WriteNumber("frequencyPenalty"u8, frequency);
                if (c.StopSequences is { } stops)
                {
                    writer.WriteStartArray("stopSequences"u8);
                    foreach (var stop in stops) writer.WriteStringValue(stop);
                    writer.WriteEndArray();
                }
                if (c.MaxTokens is { } maxTokens) writer.WriteNumber("maxTokens"u8, maxTokens);
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        }
        return buffer.WrittenMemory;
    }

    public static ReadOnlyMemory<byte> CreateSession(string externalUserId)
    {
        var buffer = new ArrayBufferWriter<byte>(96);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("externalUserId"u8, externalUserId);
            writer.WriteStartArray("pluginIds"u8);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return buffer.WrittenMemory;
    }

    private static readonly byte[] SigninBody = "{\"accountType\":\"default\"}"u8.ToArray();

    public static ReadOnlyMemory<byte> Signin() => SigninBody;

    public static ReadOnlyMemory<byte> Refresh(string accessToken, string refreshToken)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("data"u8);
            writer.WriteString("token"u8, accessToken);
            writer.WriteString("refreshToken"u8, refreshToken);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        return buffer.WrittenMemory;
    }

}
