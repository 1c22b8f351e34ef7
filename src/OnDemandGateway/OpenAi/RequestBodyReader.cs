using System.Buffers;
using Microsoft.AspNetCore.Http.Features;

namespace OnDemandGateway.OpenAi;

/// <summary>Reads a request body up to a configured size. Over the limit is a 413 in OpenAI's envelope (Kestrel's
/// own limit would answer with an empty page), and the bytes already read are not kept.</summary>
internal static class RequestBodyReader
{
    public static async ValueTask<(byte[]? Buffer, int Length, OpenAiError? Error)> ReadAsync(HttpContext context, long limit)
    {
        var request = context.Request;
        if (request.ContentLength > limit) return (null, 0, TooLarge(limit));
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature) sizeFeature.MaxRequestBodySize = null;

        var reader = request.BodyReader;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(context.RequestAborted);
                var buffer = result.Buffer;
                if (buffer.Length > limit)
                {
                    reader.AdvanceTo(buffer.End);
                    return (null, 0, TooLarge(limit));
                }
                if (result.IsCompleted || result.IsCanceled)
                {
                    var length = (int)buffer.Length;
                    var array = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
                    buffer.CopyTo(array);
                    reader.AdvanceTo(buffer.End);
                    return (array, length, null);
                }
                reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        catch (BadHttpRequestException e)
        {
            return (null, 0, OpenAiError.Invalid($"The request body could not be read: {e.Message}", code: "invalid_body"));
        }
    }

    public static void Return(byte[]? buffer)
    {
        if (buffer is not null) ArrayPool<byte>.Shared.Return(buffer);
    }

    private static OpenAiError TooLarge(long limit) =>
        new(413, $"The request body is larger than this gateway accepts ({limit} bytes). Shorten the conversation or raise max_request_body_bytes.", "invalid_request_error", null, "request_too_large");
}
