namespace OnDemandGateway.Tests.Upstream.Http;

/// <summary>Whole upstream answers as raw HTTP/1.1 bytes, for a <see cref="RawServerConnection"/> to write.</summary>
internal static class RawReplies
{
    /// <summary>A 200 head announcing 100 body bytes, then only 10 of them (the test closes the connection after it).</summary>
    public const string CutShort = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"data\":{\"";

    public static string Json(int status, string reason, string body) =>
        $"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {System.Text.Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}";

    /// <summary>A session creation's answer (201, <c>data.id</c>).</summary>
    public static string SessionCreated(string id) => Json(201, "Created", $$$"""{"message":"created","data":{"id":"{{{id}}}"}}""");

    /// <summary>A sync query's answer (<c>data.answer</c>).</summary>
    public static string Answer(string sessionId, string text) =>
        Json(200, "OK", $$$"""{"message":"Chat query submitted successfully","data":{"sessionId":"{{{sessionId}}}","messageId":"m-1","answer":"{{{text}}}","status":"completed"}}""");

    /// <summary>A successful signin: access token, refresh token, user and company.</summary>
    public static string SignedIn(string token, string refreshToken) =>
        Json(200, "OK", $$$$"""{"data":{"tokenData":{"token":"{{{{token}}}}","refreshToken":"{{{{refreshToken}}}}"},"user":{"userId":"u-1","default_company_id":"c-1"}}}""");
}
