using System.Text;
using OnDemandGateway.Accounts;
using OnDemandGateway.Configuration;
using OnDemandGateway.Upstream.Http;

namespace OnDemandGateway.Upstream;

/// <summary>The only code that talks HTTP to on-demand.io. Speaks both credential kinds exactly as the spec says;
/// for accounts a 401 is answered with one refresh, then one full signin, then the failure is returned.
/// Expected failures come back classified; only cancellation propagates as an exception.</summary>
internal sealed partial class OnDemandClient(UpstreamHttpClient http, GatewayOptions options, ILogger<OnDemandClient> logger)
{
    /// <summary>Sync answers and error bodies larger than this are treated as invalid replies.</summary>
    internal const int MaxBodyBytes = 32 * 1024 * 1024;

    private const string KeySessions = "/chat/v1/sessions";
    private const string AccountSessions = "/chat/v1/client/sessions";
    private readonly UpstreamOrigin _api = UpstreamOrigin.Parse(options.OnDemandApiBase);
    private readonly UpstreamOrigin _auth = UpstreamOrigin.Parse(options.OnDemandAuthBase);

    private static string Prefix(CredentialState credential) => credential.IsAccount ? AccountSessions : KeySessions;

    private static string QueryPath(CredentialState credential, string sessionId) => string.Concat(Prefix(credential), "/", sessionId, "/query");

    public async Task<UpstreamResult<string>> CreateSessionAsync(CredentialState credential, CancellationToken cancellationToken)
    {
        var externalUserId = "odg-" + Runtime.UniqueIds.Next();
        var sent = await SendAsync(credential, Prefix(credential), static id => OnDemandRequests.CreateSession(id), externalUserId, true, cancellationToken);
        if (!sent.IsSuccess) return sent.Error!;
        using var response = sent.Value!;
        var body = await ReadBodyAsync(response, cancellationToken);
        return body.IsSuccess ? SessionIn(response.StatusCode, body.Value!) : body.Error!;
    }

    /// <summary>The new session's id from a successful creation's body (<c>data.id</c>).</summary>
    private static UpstreamResult<string> SessionIn(int status, byte[] body)
    {
        try
        {
            if (OnDemandResponses.SessionId(body) is { Length: > 0 } id) return UpstreamResult<string>.Ok(id);
        }
        catch (System.Text.Json.JsonException)
        {
        }
        return new UpstreamError(UpstreamErrorKind.InvalidResponse, status, null, "session creation returned no data.id");
    }

    /// <summary>Creates <paramref name="count"/> sessions with one round trip where the upstream allows it
    /// (pipelined on one connection; see <see cref="UpstreamHttpClient.PostPipelinedAsync"/>). For the reserve:
    /// a failed creation is simply reported, never renewed or retried here (the next request on this credential
    /// creates its session itself, with the full 401 handling).</summary>
    public async Task<UpstreamResult<string>[]> CreateSessionsAsync(CredentialState credential, int count, CancellationToken cancellationToken)
    {
        AccountToken? token = null;
        if (credential.IsAccount)
        {
            var current = await GetTokenAsync(credential, cancellationToken);
            if (!current.IsSuccess) return Enumerable.Repeat(UpstreamResult<string>.Fail(current.Error!), count).ToArray();
            token = current.Value;
        }
        var headers = AuthHeaders(credential, token, sessionCreation: true);
        var requests = new UpstreamRequest[count];
        for (var i = 0; i < count; i++) requests[i] = new UpstreamRequest(Prefix(credential), headers, OnDemandRequests.CreateSession("odg-" + Runtime.UniqueIds.Next()));
        UpstreamReply[] replies;
        try
        {
            replies = await http.PostPipelinedAsync(_api, requests, MaxBodyBytes, cancellationToken);
        }
        catch (Exception e) when (IsUpstreamFailure(e, cancellationToken))
        {
            return Enumerable.Repeat(UpstreamResult<string>.Fail(UpstreamErrorClassifier.FromException(e, clientAborted: false, timedOut: false)), count).ToArray();
        }
        return Array.ConvertAll(replies, SessionFrom);
    }

    private static UpstreamResult<string> SessionFrom(UpstreamReply reply)
    {
        if (reply.Failure is not null) return UpstreamErrorClassifier.FromException(reply.Failure, clientAborted: false, timedOut: false);
        var head = reply.Head!;
        return UpstreamErrorClassifier.IsSuccess(head.Status) ? SessionIn(head.Status, reply.Body!) : UpstreamErrorClassifier.FromReply(head, reply.Body!);
    }

    private static UpstreamHeader[] AuthHeaders(CredentialState credential, AccountToken? token, bool sessionCreation) => token is null
        ? [new("apikey", credential.Options.ApiKey!)]
        : sessionCreation
            ? [new("Authorization", "Bearer " + token.AccessToken), new("x-company-id", token.CompanyId), new("x-user-id", token.UserId)]
            : [new("Authorization", "Bearer " + token.AccessToken), new("x-company-id", token.CompanyId)];

    public async Task<UpstreamResult<SyncAnswer>> QuerySyncAsync(CredentialState credential, string sessionId, UpstreamQuery query, CancellationToken cancellationToken)
    {
        var sent = await SendAsync(credential, QueryPath(credential, sessionId), static q => OnDemandRequests.Query(q, stream: false), query, false, cancellationToken);
        if (!sent.IsSuccess) return sent.Error!;
        using var response = sent.Value!;
        var body = await ReadBodyAsync(response, cancellationToken);
        if (!body.IsSuccess) return body.Error!;
        try
        {
            if (OnDemandResponses.Answer(body.Value!) is { } answer) return UpstreamResult<SyncAnswer>.Ok(answer);
        }
        catch (System.Text.Json.JsonException)
        {
        }
        return new UpstreamError(UpstreamErrorKind.InvalidResponse, response.StatusCode, null, "the sync reply has no data.answer");
    }

    public async Task<UpstreamResult<UpstreamStream>> OpenStreamAsync(CredentialState credential, string sessionId, UpstreamQuery query, CancellationToken cancellationToken)
    {
        var sent = await SendAsync(credential, QueryPath(credential, sessionId), static q => OnDemandRequests.Query(q, stream: true), query, false, cancellationToken);
        if (!sent.IsSuccess) return sent.Error!;
        return UpstreamResult<UpstreamStream>.Ok(new UpstreamStream(sent.Value!));
    }

    /// <param name="content">Builds the body (again after a token renewal); static, with its state passed in, so no
    /// closure is allocated per call.</param>
    private async Task<UpstreamResult<UpstreamHttpResponse>> SendAsync<TState>(CredentialState credential, string path, Func<TState, ReadOnlyMemory<byte>> content, TState state, bool sessionCreation, CancellationToken cancellationToken)
    {
        // The spec's order on a 401: refresh once, then sign in once, then give up. A refresh that fails falls back
        // to the signin at once, so once a renewal has signed in (this request's or a concurrent one's), the next
        // 401 ends it: a token fresh from a signin that is still refused will not be helped by another signin.
        var signedIn = false;
        for (var renewal = 0; ; renewal++)
        {
            AccountToken? token = null;
            if (credential.IsAccount)
            {
                var current = await GetTokenAsync(credential, cancellationToken);
                if (!current.IsSuccess) return current.Error!;
                token = current.Value;
            }
            // Only a session creation may be sent twice: a query resent into its session would be in its history twice.
            var sent = await TransmitAsync(_api, path, AuthHeaders(credential, token, sessionCreation), content(state), repeatable: sessionCreation, cancellationToken);
            if (!sent.IsSuccess) return sent;
            var response = sent.Value!;
            if (UpstreamErrorClassifier.IsSuccess(response.StatusCode)) return UpstreamResult<UpstreamHttpResponse>.Ok(response);
            if (response.StatusCode == 401 && token is not null && renewal < 2 && !signedIn)
            {
                response.Dispose();
                var signinsBefore = credential.Tokens!.Signins;
                var renewed = await RenewAsync(credential, token.Generation, fullSignin: renewal == 1, cancellationToken);
                if (!renewed.IsSuccess) return renewed.Error!;
                signedIn = credential.Tokens.Signins != signinsBefore;
                continue;
            }
            using (response)
            {
                return await UpstreamErrorClassifier.FromResponseAsync(response, cancellationToken);
            }
        }
    }

    private async Task<UpstreamResult<UpstreamHttpResponse>> TransmitAsync(UpstreamOrigin origin, string path, UpstreamHeader[] headers, ReadOnlyMemory<byte> body, bool repeatable, CancellationToken cancellationToken)
    {
        try
        {
            return UpstreamResult<UpstreamHttpResponse>.Ok(await http.PostAsync(origin, path, headers, body, repeatable, cancellationToken));
        }
        catch (Exception e) when (IsUpstreamFailure(e, cancellationToken))
        {
            return UpstreamErrorClassifier.FromException(e, clientAborted: false, timedOut: false);
        }
    }

    /// <summary>A successful answer's whole body. A status line promises nothing about the body: one cut short,
    /// badly framed or too large is classified here like any other transport failure (and so retried), never thrown.</summary>
    private static async ValueTask<UpstreamResult<byte[]>> ReadBodyAsync(UpstreamHttpResponse response, CancellationToken cancellationToken)
    {
        try
        {
            return UpstreamResult<byte[]>.Ok(await response.ReadBodyAsync(MaxBodyBytes, cancellationToken));
        }
        catch (Exception e) when (IsUpstreamFailure(e, cancellationToken))
        {
            return UpstreamErrorClassifier.FromException(e, clientAborted: false, timedOut: false);
        }
    }

    /// <summary>What the upstream HTTP client throws for a failed exchange; cancellation is the caller's and propagates.</summary>
    private static bool IsUpstreamFailure(Exception e, CancellationToken cancellationToken) =>
        e is HttpRequestException or IOException && !cancellationToken.IsCancellationRequested;

    private async ValueTask<UpstreamResult<AccountToken>> GetTokenAsync(CredentialState credential, CancellationToken cancellationToken)
    {
        var tokens = credential.Tokens!;
        if (tokens.Current is { } current) return UpstreamResult<AccountToken>.Ok(current);
        var seenSignins = tokens.Signins;
        await tokens.Gate.WaitAsync(cancellationToken);
        try
        {
            // Another request may have signed in while this one waited: one signin, not one per request. If that
            // signin failed, its failure is this request's too (one failed login, not one per waiting request).
            if (tokens.Current is { } signedIn) return UpstreamResult<AccountToken>.Ok(signedIn);
            if (tokens.FailureSince(seenSignins) is { } failed) return failed;
            return await SigninAsync(credential, cancellationToken);
        }
        finally
        {
            tokens.Gate.Release();
        }
    }

    private async Task<UpstreamResult<AccountToken>> RenewAsync(CredentialState credential, long failedGeneration, bool fullSignin, CancellationToken cancellationToken)
    {
        var tokens = credential.Tokens!;
        var seenSignins = tokens.Signins;
        await tokens.Gate.WaitAsync(cancellationToken);
        try
        {
            if (tokens.Current is { } current && current.Generation != failedGeneration) return UpstreamResult<AccountToken>.Ok(current);
            if (tokens.FailureSince(seenSignins) is { } failed) return failed;
            if (!fullSignin && tokens.Current is { RefreshToken: { } refreshToken } old)
            {
                var refreshed = await RefreshAsync(credential, old, refreshToken, cancellationToken);
                if (refreshed.IsSuccess) return refreshed;
            }
            return await SigninAsync(credential, cancellationToken);
        }
        finally
        {
            tokens.Gate.Release();
        }
    }

    /// <summary>Signs in (under the account's gate) and records the outcome, which the requests that waited for
    /// this signin take as theirs.</summary>
    private async Task<UpstreamResult<AccountToken>> SigninAsync(CredentialState credential, CancellationToken cancellationToken)
    {
        var tokens = credential.Tokens!;
        var generation = tokens.NextGeneration;
        tokens.Clear();
        var result = await RequestSigninAsync(credential, generation, cancellationToken);
        if (result.IsSuccess)
        {
            tokens.SignedIn(result.Value!);
            LogSignedIn(logger, credential.Id);
        }
        else
        {
            tokens.SigninFailed(result.Error!);
            LogSigninFailed(logger, credential.Id, result.Error!.ToString());
        }
        return result;
    }

    private async Task<UpstreamResult<AccountToken>> RequestSigninAsync(CredentialState credential, long generation, CancellationToken cancellationToken)
    {
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credential.Options.Email}:{credential.Options.Password}"));
        var sent = await TransmitAsync(_auth, "/v1/auth/user/signin", [new("Authorization", "Basic " + basic)], OnDemandRequests.Signin(), repeatable: true, cancellationToken);
        if (!sent.IsSuccess) return sent.Error!;
        using var response = sent.Value!;
        if (!UpstreamErrorClassifier.IsSuccess(response.StatusCode))
        {
            var error = await UpstreamErrorClassifier.FromResponseAsync(response, cancellationToken);
            // Wrong credentials: the caller takes the account out of rotation instead of retrying it in a loop.
            return error.Kind is UpstreamErrorKind.Forbidden or UpstreamErrorKind.BadRequest or UpstreamErrorKind.NotFound
                ? error with { Kind = UpstreamErrorKind.Unauthenticated }
                : error;
        }
        var body = await ReadBodyAsync(response, cancellationToken);
        if (!body.IsSuccess) return body.Error!;
        AccountToken? token = null;
        try
        {
            token = OnDemandResponses.Signin(body.Value!, generation);
        }
        catch (System.Text.Json.JsonException)
        {
        }
        return token is null
            ? new UpstreamError(UpstreamErrorKind.Unauthenticated, response.StatusCode, null, "signin returned no token, userId or company id")
            : UpstreamResult<AccountToken>.Ok(token);
    }

    private async Task<UpstreamResult<AccountToken>> RefreshAsync(CredentialState credential, AccountToken old, string refreshToken, CancellationToken cancellationToken)
    {
        var sent = await TransmitAsync(_auth, "/v1/auth/user/refresh_token", [], OnDemandRequests.Refresh(old.AccessToken, refreshToken), repeatable: true, cancellationToken);
        if (!sent.IsSuccess) return sent.Error!;
        using var response = sent.Value!;
        if (!UpstreamErrorClassifier.IsSuccess(response.StatusCode))
        {
            LogRefreshFailed(logger, credential.Id, response.StatusCode);
            return await UpstreamErrorClassifier.FromResponseAsync(response, cancellationToken);
        }
        var body = await ReadBodyAsync(response, cancellationToken);
        if (!body.IsSuccess) return body.Error!;
        (string Token, string? RefreshToken)? refreshed = null;
        try
        {
            refreshed = OnDemandResponses.Refresh(body.Value!);
        }
        catch (System.Text.Json.JsonException)
        {
        }
        if (refreshed is not { } value) return new UpstreamError(UpstreamErrorKind.Unauthenticated, response.StatusCode, null, "refresh returned no token");
        var token = old with { AccessToken = value.Token, RefreshToken = value.RefreshToken ?? refreshToken, Generation = old.Generation + 1 };
        credential.Tokens!.Set(token);
        LogRefreshed(logger, credential.Id);
        return UpstreamResult<AccountToken>.Ok(token);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Signed in to on-demand.io as {Account}")]
    private static partial void LogSignedIn(ILogger logger, string account);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Signin failed for {Account}: {Error}")]
    private static partial void LogSigninFailed(ILogger logger, string account, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Refreshed the access token of {Account}")]
    private static partial void LogRefreshed(ILogger logger, string account);

    [LoggerMessage(Level = LogLevel.Information, Message = "Token refresh failed for {Account} with status {Status}; signing in again")]
    private static partial void LogRefreshFailed(ILogger logger, string account, int status);
}
