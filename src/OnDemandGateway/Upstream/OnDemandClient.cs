using System.Net;
using System.Net.Http.Headers;
using System.Text;
using OnDemandGateway.Accounts;
using OnDemandGateway.Configuration;

namespace OnDemandGateway.Upstream;

/// <summary>The only code that talks HTTP to on-demand.io. Speaks both credential kinds exactly as the spec says;
/// for accounts a 401 is answered with one refresh, then one full signin, then the failure is returned.
/// Expected failures come back classified; only cancellation propagates as an exception.</summary>
internal sealed partial class OnDemandClient(HttpClient http, GatewayOptions options, ILogger<OnDemandClient> logger)
{
    private readonly string _auth = options.OnDemandAuthBase.TrimEnd('/');
    // Built once: every request used to concatenate them.
    private readonly string _keySessions = options.OnDemandApiBase.TrimEnd('/') + "/chat/v1/sessions";
    private readonly string _accountSessions = options.OnDemandApiBase.TrimEnd('/') + "/chat/v1/client/sessions";

    private string Prefix(CredentialState credential) => credential.IsAccount ? _accountSessions : _keySessions;

    private string QueryUrl(CredentialState credential, string sessionId) => string.Concat(Prefix(credential), "/", sessionId, "/query");

    public async Task<UpstreamResult<string>> CreateSessionAsync(CredentialState credential, CancellationToken cancellationToken)
    {
        var externalUserId = "odg-" + Runtime.UniqueIds.Next();
        var sent = await SendAsync(credential, Prefix(credential), static id => OnDemandRequests.CreateSession(id), externalUserId, true, cancellationToken);
        if (!sent.IsSuccess) return sent.Error!;
        using var response = sent.Value!;
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        try
        {
            var id = OnDemandResponses.SessionId(body);
            if (!string.IsNullOrEmpty(id)) return UpstreamResult<string>.Ok(id);
        }
        catch (System.Text.Json.JsonException)
        {
        }
        return new UpstreamError(UpstreamErrorKind.InvalidResponse, (int)response.StatusCode, null, "session creation returned no data.id");
    }

    public async Task<UpstreamResult<SyncAnswer>> QuerySyncAsync(CredentialState credential, string sessionId, UpstreamQuery query, CancellationToken cancellationToken)
    {
        var sent = await SendAsync(credential, QueryUrl(credential, sessionId), static q => OnDemandRequests.Query(q, stream: false), query, false, cancellationToken);
        if (!sent.IsSuccess) return sent.Error!;
        using var response = sent.Value!;
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        try
        {
            if (OnDemandResponses.Answer(body) is { } answer) return UpstreamResult<SyncAnswer>.Ok(answer);
        }
        catch (System.Text.Json.JsonException)
        {
        }
        return new UpstreamError(UpstreamErrorKind.InvalidResponse, (int)response.StatusCode, null, "the sync reply has no data.answer");
    }

    public async Task<UpstreamResult<UpstreamStream>> OpenStreamAsync(CredentialState credential, string sessionId, UpstreamQuery query, CancellationToken cancellationToken)
    {
        var sent = await SendAsync(credential, QueryUrl(credential, sessionId), static q => OnDemandRequests.Query(q, stream: true), query, false, cancellationToken);
        if (!sent.IsSuccess) return sent.Error!;
        var response = sent.Value!;
        try
        {
            var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            return UpstreamResult<UpstreamStream>.Ok(new UpstreamStream(response, body));
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <param name="content">Builds the body (again after a token renewal); static, with its state passed in, so no
    /// closure is allocated per call.</param>
    private async Task<UpstreamResult<HttpResponseMessage>> SendAsync<TState>(CredentialState credential, string url, Func<TState, HttpContent> content, TState state, bool sessionCreation, CancellationToken cancellationToken)
    {
        for (var renewal = 0; ; renewal++)
        {
            AccountToken? token = null;
            if (credential.IsAccount)
            {
                var current = await GetTokenAsync(credential, cancellationToken);
                if (!current.IsSuccess) return current.Error!;
                token = current.Value;
            }
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content(state) };
            if (token is null)
            {
                request.Headers.TryAddWithoutValidation("apikey", credential.Options.ApiKey);
            }
            else
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken);
                request.Headers.TryAddWithoutValidation("x-company-id", token.CompanyId);
                if (sessionCreation) request.Headers.TryAddWithoutValidation("x-user-id", token.UserId);
            }
            var sent = await TransmitAsync(request, cancellationToken);
            if (!sent.IsSuccess) return sent;
            var response = sent.Value!;
            if (UpstreamErrorClassifier.IsSuccess(response.StatusCode)) return UpstreamResult<HttpResponseMessage>.Ok(response);
            if (response.StatusCode == HttpStatusCode.Unauthorized && token is not null && renewal < 2)
            {
                response.Dispose();
                var renewed = await RenewAsync(credential, token.Generation, fullSignin: renewal == 1, cancellationToken);
                if (!renewed.IsSuccess) return renewed.Error!;
                continue;
            }
            using (response)
            {
                return await UpstreamErrorClassifier.FromResponseAsync(response, cancellationToken);
            }
        }
    }

    private async Task<UpstreamResult<HttpResponseMessage>> TransmitAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return UpstreamResult<HttpResponseMessage>.Ok(await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken));
        }
        catch (Exception e) when (e is HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
        {
            return UpstreamErrorClassifier.FromException(e, clientAborted: false, timedOut: false);
        }
    }

    private async ValueTask<UpstreamResult<AccountToken>> GetTokenAsync(CredentialState credential, CancellationToken cancellationToken)
    {
        var tokens = credential.Tokens!;
        if (tokens.Current is { } current) return UpstreamResult<AccountToken>.Ok(current);
        await tokens.Gate.WaitAsync(cancellationToken);
        try
        {
            // Another request may have signed in while this one waited: one signin, not one per request.
            if (tokens.Current is { } signedIn) return UpstreamResult<AccountToken>.Ok(signedIn);
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
        await tokens.Gate.WaitAsync(cancellationToken);
        try
        {
            if (tokens.Current is { } current && current.Generation != failedGeneration) return UpstreamResult<AccountToken>.Ok(current);
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

    private async Task<UpstreamResult<AccountToken>> SigninAsync(CredentialState credential, CancellationToken cancellationToken)
    {
        var tokens = credential.Tokens!;
        tokens.Clear();
        using var request = new HttpRequestMessage(HttpMethod.Post, _auth + "/v1/auth/user/signin") { Content = OnDemandRequests.Signin() };
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credential.Options.Email}:{credential.Options.Password}"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", basic);
        var sent = await TransmitAsync(request, cancellationToken);
        if (!sent.IsSuccess) return sent.Error!;
        using var response = sent.Value!;
        if (!UpstreamErrorClassifier.IsSuccess(response.StatusCode))
        {
            var error = await UpstreamErrorClassifier.FromResponseAsync(response, cancellationToken);
            LogSigninFailed(logger, credential.Id, error.ToString());
            // Wrong credentials: the caller takes the account out of rotation instead of retrying it in a loop.
            return error.Kind is UpstreamErrorKind.Forbidden or UpstreamErrorKind.BadRequest or UpstreamErrorKind.NotFound
                ? error with { Kind = UpstreamErrorKind.Unauthenticated }
                : error;
        }
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        AccountToken? token = null;
        try
        {
            token = OnDemandResponses.Signin(body, tokens.NextGeneration);
        }
        catch (System.Text.Json.JsonException)
        {
        }
        if (token is null)
        {
            LogSigninFailed(logger, credential.Id, "no token, userId or company id in the reply");
            return new UpstreamError(UpstreamErrorKind.Unauthenticated, (int)response.StatusCode, null, "signin returned no token, userId or company id");
        }
        tokens.Set(token);
        LogSignedIn(logger, credential.Id);
        return UpstreamResult<AccountToken>.Ok(token);
    }

    private async Task<UpstreamResult<AccountToken>> RefreshAsync(CredentialState credential, AccountToken old, string refreshToken, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _auth + "/v1/auth/user/refresh_token") { Content = OnDemandRequests.Refresh(old.AccessToken, refreshToken) };
        var sent = await TransmitAsync(request, cancellationToken);
        if (!sent.IsSuccess) return sent.Error!;
        using var response = sent.Value!;
        if (!UpstreamErrorClassifier.IsSuccess(response.StatusCode))
        {
            LogRefreshFailed(logger, credential.Id, (int)response.StatusCode);
            return await UpstreamErrorClassifier.FromResponseAsync(response, cancellationToken);
        }
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        (string Token, string? RefreshToken)? refreshed = null;
        try
        {
            refreshed = OnDemandResponses.Refresh(body);
        }
        catch (System.Text.Json.JsonException)
        {
        }
        if (refreshed is not { } value) return new UpstreamError(UpstreamErrorKind.Unauthenticated, (int)response.StatusCode, null, "refresh returned no token");
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
