using System.Text.Json;

namespace OnDemandGateway.Upstream;

/// <summary>Reads the upstream's success bodies exactly where the spec puts things (<c>data.answer</c>,
/// <c>data.id</c>, <c>data.tokenData.token</c> ...).</summary>
internal static class OnDemandResponses
{
    /// <summary><c>data.id</c>, read with a forward-only reader: this runs once per request (session reserve).</summary>
    public static string? SessionId(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
        string? id = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isData = reader.ValueTextEquals("data"u8);
            reader.Read();
            if (!isData || reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }
            id = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isId = reader.ValueTextEquals("id"u8);
                reader.Read();
                if (isId) id = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                else reader.Skip();
            }
        }
        return id;
    }

    /// <summary>The sync answer lives at <c>data.answer</c> (the older proxies read the top level: every reply empty).</summary>
    public static SyncAnswer? Answer(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!reader.ValueTextEquals("data"u8))
            {
                reader.Read();
                reader.Skip();
                continue;
            }
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject) return null;
            string? answer = null;
            TokenMetrics? metrics = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("answer"u8))
                {
                    reader.Read();
                    answer = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("metrics"u8))
                {
                    reader.Read();
                    metrics = UpstreamEventReader.ReadMetrics(ref reader);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            return answer is null ? null : new SyncAnswer(answer, metrics);
        }
        return null;
    }

    public static AccountToken? Signin(ReadOnlySpan<byte> body, long generation)
    {
        using var document = JsonDocument.Parse(body.ToArray());
        if (!document.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object) return null;
        var token = Text(data, "tokenData", "token");
        var refresh = Text(data, "tokenData", "refreshToken");
        var userId = Text(data, "user", "userId");
        var companyId = Text(data, "user", "default_company_id");
        // A login without all three is a failed login.
        if (string.IsNullOrEmpty(token) || string.IsNullOrEmpty(userId) || string.IsNullOrEmpty(companyId)) return null;
        return new AccountToken(token, refresh, userId, companyId, generation);
    }

    /// <summary>Refresh yields <c>data.token</c> and maybe <c>data.refreshToken</c> (keep the old one when absent).</summary>
    public static (string Token, string? RefreshToken)? Refresh(ReadOnlySpan<byte> body)
    {
        using var document = JsonDocument.Parse(body.ToArray());
        if (!document.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object) return null;
        var token = data.TryGetProperty("token", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        if (string.IsNullOrEmpty(token)) return null;
        var refresh = data.TryGetProperty("refreshToken", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
        return (token, refresh);
    }

    private static string? Text(JsonElement data, string parent, string name) =>
        data.TryGetProperty(parent, out var p) && p.ValueKind == JsonValueKind.Object
        && p.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
