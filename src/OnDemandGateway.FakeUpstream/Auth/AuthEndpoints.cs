using System.Text;
using System.Text.Json;
using OnDemandGateway.FakeUpstream.Hosting;
using OnDemandGateway.FakeUpstream.Protocol;
using OnDemandGateway.FakeUpstream.Scripting;

namespace OnDemandGateway.FakeUpstream.Auth;

/// <summary><c>POST /v1/auth/user/signin</c> and <c>POST /v1/auth/user/refresh_token</c>.</summary>
internal static class AuthEndpoints
{
    public static async Task SigninAsync(FakeExchange x, FakeServerState s)
    {
        s.CountSignin();
        var ctx = x.Context;
        if (!TryReadBasic(ctx.Request.Headers.Authorization, out var email, out var password))
        {
            await JsonResponses.ErrorAsync(ctx, 401, ErrorCodes.Unauthenticated, "Missing or malformed Basic authorization.");
            return;
        }

        x.Call.Credential = email;
        if (!BodyIsDefaultAccountType(x.Call.RawBody))
        {
            await JsonResponses.ErrorAsync(ctx, 400, ErrorCodes.InvalidRequest, "Body must be {\"accountType\":\"default\"}.");
            return;
        }

        var account = s.Credentials.SignIn(email, password);
        if (account is null)
        {
            await JsonResponses.ErrorAsync(ctx, 401, ErrorCodes.Unauthenticated, "Invalid email or password.");
            return;
        }

        if (await ScriptedReplies.TryApplyAsync(x, await s.NextReplyAsync(x)))
        {
            return;
        }

        var (token, refresh) = s.Credentials.Issue(account);
        await JsonResponses.SigninAsync(ctx, account, token, refresh);
    }

    public static async Task RefreshAsync(FakeExchange x, FakeServerState s)
    {
        s.CountRefresh();
        var ctx = x.Context;
        if (!TryReadRefreshBody(x.Call.RawBody, out var refreshToken))
        {
            await JsonResponses.ErrorAsync(ctx, 400, ErrorCodes.InvalidRequest,
                "Body must be {\"data\":{\"token\":\"...\",\"refreshToken\":\"...\"}} with non-empty strings.");
            return;
        }

        var check = s.Credentials.CheckRefresh(refreshToken, out var account);
        x.Call.Credential = account?.Email;
        if (check != TokenCheck.Valid)
        {
            await JsonResponses.ErrorAsync(ctx, 401, ErrorCodes.Unauthenticated,
                check == TokenCheck.Expired ? "Refresh token revoked." : "Invalid refresh token.");
            return;
        }

        if (await ScriptedReplies.TryApplyAsync(x, await s.NextReplyAsync(x)))
        {
            return;
        }

        if (s.Options.RefreshOmitsRefreshToken)
        {
            await JsonResponses.RefreshAsync(ctx, s.Credentials.IssueAccessToken(account!), refreshToken: null);
            return;
        }

        var (token, refresh) = s.Credentials.Issue(account!);
        await JsonResponses.RefreshAsync(ctx, token, refresh);
    }

    private static bool TryReadBasic(string? header, out string email, out string password)
    {
        email = password = "";
        if (header is null || !header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
        }
        catch (FormatException)
        {
            return false;
        }

        var colon = decoded.IndexOf(':');
        if (colon <= 0)
        {
            return false;
        }

        email = decoded[..colon];
        password = decoded[(colon + 1)..];
        return true;
    }

    private static bool BodyIsDefaultAccountType(ReadOnlyMemory<byte> body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("accountType", out var t)
                && t.ValueKind == JsonValueKind.String
                && t.GetString() == "default";
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool TryReadRefreshBody(ReadOnlyMemory<byte> body, out string refreshToken)
    {
        refreshToken = "";
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind != JsonValueKind.Object
                || !doc.RootElement.TryGetProperty("data", out var data)
                || data.ValueKind != JsonValueKind.Object
                || !NonEmptyString(data, "token", out _)
                || !NonEmptyString(data, "refreshToken", out refreshToken))
            {
                return false;
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool NonEmptyString(JsonElement obj, string name, out string value)
    {
        value = obj.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() ?? "" : "";
        return value.Length > 0;
    }
}
