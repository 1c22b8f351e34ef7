using System.Text.Json;

namespace OnDemandGateway.OpenAi;

internal static class OpenAiErrorWriter
{
    /// <summary>Tells OpenAI's SDKs whether retrying can help (they retry 503s and 429s by default).</summary>
    public const string ShouldRetryHeader = "x-should-retry";

    public static Task WriteAsync(HttpContext context, OpenAiError error)
    {
        var response = context.Response;
        response.StatusCode = error.Status;
        response.ContentType = "application/json";
        if (error.RetryAfterSeconds is { } seconds) response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (error.ShouldRetry is { } retry) response.Headers[ShouldRetryHeader] = retry ? "true" : "false";
        using (var writer = new Utf8JsonWriter(response.BodyWriter, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            WriteErrorObject(writer, error);
            writer.WriteEndObject();
        }
        return response.BodyWriter.FlushAsync(context.RequestAborted).AsTask();
    }

    /// <summary>Writes <c>"error":{...}</c> into an open object (also used for in-stream error events).</summary>
    public static void WriteErrorObject(Utf8JsonWriter writer, OpenAiError error)
    {
        writer.WriteStartObject("error"u8);
        writer.WriteString("message"u8, error.Message);
        writer.WriteString("type"u8, error.Type);
        if (error.Param is null) writer.WriteNull("param"u8); else writer.WriteString("param"u8, error.Param);
        if (error.Code is null) writer.WriteNull("code"u8); else writer.WriteString("code"u8, error.Code);
        writer.WriteEndObject();
    }
}
