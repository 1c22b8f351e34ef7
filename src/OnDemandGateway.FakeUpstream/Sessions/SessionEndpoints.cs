using System.Text.Json;
using OnDemandGateway.FakeUpstream.Auth;
using OnDemandGateway.FakeUpstream.Hosting;
using OnDemandGateway.FakeUpstream.Protocol;
using OnDemandGateway.FakeUpstream.Scripting;

namespace OnDemandGateway.FakeUpstream.Sessions;

/// <summary><c>POST /chat/v1/sessions</c> (apikey) and <c>POST /chat/v1/client/sessions</c> (account).</summary>
internal static class SessionEndpoints
{
    public static async Task CreateAsync(FakeExchange x, FakeServerState s, bool accountMode)
    {
        var principal = await ChatAuthorization.AuthorizeAsync(x, s, accountMode, requireUserId: true);
        if (principal is null)
        {
            return;
        }

        if (!TryReadBody(x.Call.RawBody, out var externalUserId, out var error))
        {
            await JsonResponses.ErrorAsync(x.Context, 400, ErrorCodes.InvalidRequest, error);
            return;
        }

        if (await ScriptedReplies.TryApplyAsync(x, await s.NextReplyAsync(x)))
        {
            return;
        }

        var session = s.Sessions.Create(accountMode, principal.Owner, principal.CompanyId, externalUserId);
        x.Call.SessionId = session.Id;
        await JsonResponses.SessionCreatedAsync(x.Context, s.Options.SessionCreatedStatus, session, s.Options.TimeProvider.GetUtcNow());
    }

    private static bool TryReadBody(ReadOnlyMemory<byte> body, out string externalUserId, out string error)
    {
        externalUserId = "";
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "Request body must be a JSON object.";
                return false;
            }

            if (!root.TryGetProperty("externalUserId", out var ext) || ext.ValueKind != JsonValueKind.String || ext.GetString() is not { Length: > 0 } id)
            {
                error = "externalUserId is required and must be a non-empty string.";
                return false;
            }

            if (root.TryGetProperty("pluginIds", out var plugins)
                && (plugins.ValueKind != JsonValueKind.Array || plugins.EnumerateArray().Any(p => p.ValueKind != JsonValueKind.String)))
            {
                error = "pluginIds must be an array of strings.";
                return false;
            }

            externalUserId = id;
            error = "";
            return true;
        }
        catch (JsonException)
        {
            error = "Request body is not valid JSON.";
            return false;
        }
    }
}
