using OnDemandGateway.FakeUpstream.Hosting;
using OnDemandGateway.FakeUpstream.Protocol;

namespace OnDemandGateway.FakeUpstream.Auth;

/// <summary>Checks the headers a chat call must carry for its credential kind (see the spec's host table).</summary>
internal static class ChatAuthorization
{
    /// <summary>Company id the fake reports for API-key sessions.</summary>
    public const string ApiKeyCompanyId = "company-apikey";

    /// <summary>The caller, or null after an error answer was written.</summary>
    public static async Task<ChatPrincipal?> AuthorizeAsync(FakeExchange x, FakeServerState s, bool accountMode, bool requireUserId)
    {
        var headers = x.Context.Request.Headers;
        if (!accountMode)
        {
            string? key = headers["apikey"];
            x.Call.Credential = string.IsNullOrEmpty(key) ? null : key;
            if (!s.Credentials.IsValidApiKey(key))
            {
                await JsonResponses.ErrorAsync(x.Context, 401, ErrorCodes.Unauthenticated,
                    key is null ? "Missing apikey header." : "Invalid API key.");
                return null;
            }

            return new ChatPrincipal(key!, ApiKeyCompanyId);
        }

        string? authorization = headers.Authorization;
        if (authorization is null || !authorization.StartsWith("Bearer ", StringComparison.Ordinal) || authorization.Length == 7)
        {
            await JsonResponses.ErrorAsync(x.Context, 401, ErrorCodes.Unauthenticated, "Missing bearer token.");
            return null;
        }

        var check = s.Credentials.CheckAccess(authorization[7..], out var account);
        x.Call.Credential = account?.Email;
        if (check != TokenCheck.Valid)
        {
            await JsonResponses.ErrorAsync(x.Context, 401, ErrorCodes.Unauthenticated,
                check == TokenCheck.Expired ? "Access token expired." : "Invalid access token.");
            return null;
        }

        if (headers["x-company-id"] != account!.CompanyId)
        {
            await JsonResponses.ErrorAsync(x.Context, 403, ErrorCodes.Unauthorized, "x-company-id header missing or not this account's company.");
            return null;
        }

        if (requireUserId && headers["x-user-id"] != account.UserId)
        {
            await JsonResponses.ErrorAsync(x.Context, 403, ErrorCodes.Unauthorized, "x-user-id header missing or not this account's user.");
            return null;
        }

        return new ChatPrincipal(account.Email, account.CompanyId);
    }
}
