using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using OnDemandGateway.FakeUpstream.Auth;
using OnDemandGateway.FakeUpstream.Sessions;

namespace OnDemandGateway.FakeUpstream.Protocol;

/// <summary>The JSON bodies of the non-stream answers, written straight into the response pipe.</summary>
internal static class JsonResponses
{
    private const string JsonContentType = "application/json; charset=utf-8";

    // Readable bodies (quotes in messages stay quotes); stream frames keep the strict default escaping instead,
    // so clients are exercised on \uXXXX escapes as a Python server produces them.
    private static readonly JsonWriterOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Task ErrorAsync(HttpContext ctx, int status, string errorCode, string message, TimeSpan? retryAfter = null)
    {
        ctx.Response.StatusCode = status;
        if (retryAfter is { } ra)
        {
            ctx.Response.Headers.RetryAfter = ((long)Math.Ceiling(Math.Max(0, ra.TotalSeconds))).ToString(CultureInfo.InvariantCulture);
        }

        return WriteAsync(ctx, w =>
        {
            w.WriteString("message"u8, message);
            w.WriteString("errorCode"u8, errorCode);
        });
    }

    public static Task SigninAsync(HttpContext ctx, FakeAccount account, string token, string refreshToken) =>
        WriteAsync(ctx, w =>
        {
            w.WriteString("message"u8, "Signed in successfully");
            w.WriteStartObject("data"u8);
            w.WriteStartObject("tokenData"u8);
            w.WriteString("token"u8, token);
            w.WriteString("refreshToken"u8, refreshToken);
            w.WriteEndObject();
            w.WriteStartObject("user"u8);
            w.WriteString("userId"u8, account.UserId);
            w.WriteString("email"u8, account.Email);
            w.WriteString("default_company_id"u8, account.CompanyId);
            w.WriteEndObject();
            w.WriteEndObject();
        });

    public static Task RefreshAsync(HttpContext ctx, string token, string? refreshToken) =>
        WriteAsync(ctx, w =>
        {
            w.WriteString("message"u8, "Token refreshed successfully");
            w.WriteStartObject("data"u8);
            w.WriteString("token"u8, token);
            if (refreshToken is not null)
            {
                w.WriteString("refreshToken"u8, refreshToken);
            }

            w.WriteEndObject();
        });

    public static Task SessionCreatedAsync(HttpContext ctx, int status, FakeSession session, DateTimeOffset createdAt)
    {
        ctx.Response.StatusCode = status;
        return WriteAsync(ctx, w =>
        {
            w.WriteString("message"u8, "Chat session created successfully");
            w.WriteStartObject("data"u8);
            w.WriteString("id"u8, session.Id);
            w.WriteString("companyId"u8, session.CompanyId);
            w.WriteString("externalUserId"u8, session.ExternalUserId);
            w.WriteStartArray("pluginIds"u8);
            w.WriteEndArray();
            w.WriteString("title"u8, "");
            w.WriteString("createdAt"u8, createdAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
            w.WriteEndObject();
        });
    }

    /// <summary>Sync success. <paramref name="answer"/> null = webhook mode (accepted, answer delivered elsewhere).</summary>
    public static Task QueryAnsweredAsync(HttpContext ctx, string sessionId, string messageId, string? answer, (int Input, int Output)? metrics) =>
        WriteAsync(ctx, w =>
        {
            w.WriteString("message"u8, "Chat query submitted successfully");
            w.WriteStartObject("data"u8);
            w.WriteString("sessionId"u8, sessionId);
            w.WriteString("messageId"u8, messageId);
            if (answer is null)
            {
                w.WriteString("status"u8, "processing");
            }
            else
            {
                w.WriteString("answer"u8, answer);
                w.WriteString("status"u8, "completed");
            }

            if (metrics is { } m)
            {
                w.WriteStartObject("metrics"u8);
                w.WriteNumber("inputTokens"u8, m.Input);
                w.WriteNumber("outputTokens"u8, m.Output);
                w.WriteNumber("totalTokens"u8, m.Input + m.Output);
                w.WriteEndObject();
            }

            w.WriteEndObject();
        });

    private static async Task WriteAsync(HttpContext ctx, Action<Utf8JsonWriter> body)
    {
        ctx.Response.ContentType = JsonContentType;
        using (var w = new Utf8JsonWriter(ctx.Response.BodyWriter, Relaxed))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }

        await ctx.Response.BodyWriter.FlushAsync(ctx.RequestAborted);
    }
}
