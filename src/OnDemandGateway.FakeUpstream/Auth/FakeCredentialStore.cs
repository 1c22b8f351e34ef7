using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace OnDemandGateway.FakeUpstream.Auth;

/// <summary>API keys, accounts and the tokens issued to them. Thread-safe.</summary>
internal sealed class FakeCredentialStore(TimeProvider time, bool acceptAny)
{
    private readonly ConcurrentDictionary<string, byte> _apiKeys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, FakeAccount> _accounts = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, IssuedToken> _accessTokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IssuedToken> _refreshTokens = new(StringComparer.Ordinal);
    private long _generation;
    private long _accessFloor;
    private long _refreshFloor;
    private int _accountNumber;

    public void AddApiKey(string key) => _apiKeys[key] = 0;

    public void AddAccount(string email, string password) =>
        _accounts.AddOrUpdate(email, e => NewAccount(e, password), (_, old) => old with { Password = password });

    public bool IsValidApiKey(string? key) =>
        !string.IsNullOrEmpty(key) && (acceptAny || _apiKeys.ContainsKey(key));

    /// <summary>The account for these credentials, or null when they are wrong.</summary>
    public FakeAccount? SignIn(string email, string password)
    {
        if (email.Length == 0 || password.Length == 0)
        {
            return null;
        }

        if (_accounts.TryGetValue(email, out var account))
        {
            // Accept-any still honours a password registered explicitly, so wrong-password tests work in demos too.
            return account.Password == password ? account : null;
        }

        return acceptAny ? _accounts.GetOrAdd(email, e => NewAccount(e, password)) : null;
    }

    public (string Token, string RefreshToken) Issue(FakeAccount account)
    {
        var generation = Interlocked.Increment(ref _generation);
        var token = NewJwt(account);
        var refresh = "rt-" + RandomPart(24);
        _accessTokens[token] = new IssuedToken(account, generation);
        _refreshTokens[refresh] = new IssuedToken(account, generation);
        return (token, refresh);
    }

    /// <summary>A new access token only (refresh that keeps the old refresh token).</summary>
    public string IssueAccessToken(FakeAccount account)
    {
        var token = NewJwt(account);
        _accessTokens[token] = new IssuedToken(account, Interlocked.Increment(ref _generation));
        return token;
    }

    public TokenCheck CheckAccess(string token, out FakeAccount? account) =>
        Check(_accessTokens, token, Volatile.Read(ref _accessFloor), out account);

    public TokenCheck CheckRefresh(string refreshToken, out FakeAccount? account) =>
        Check(_refreshTokens, refreshToken, Volatile.Read(ref _refreshFloor), out account);

    public void ExpireAccessTokens() => Volatile.Write(ref _accessFloor, Interlocked.Read(ref _generation));

    public void RevokeRefreshTokens() => Volatile.Write(ref _refreshFloor, Interlocked.Read(ref _generation));

    private static TokenCheck Check(ConcurrentDictionary<string, IssuedToken> tokens, string token, long floor, out FakeAccount? account)
    {
        if (!tokens.TryGetValue(token, out var issued))
        {
            account = null;
            return TokenCheck.Unknown;
        }

        account = issued.Account;
        return issued.Generation > floor ? TokenCheck.Valid : TokenCheck.Expired;
    }

    private FakeAccount NewAccount(string email, string password)
    {
        var n = Interlocked.Increment(ref _accountNumber);
        return new FakeAccount(email, password, $"user-{n:D4}", $"company-{n:D4}");
    }

    // JWT-shaped so a client that peeks at "exp" finds one; the signature is random, nothing verifies it.
    private string NewJwt(FakeAccount account)
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var payload = $$"""{"sub":"{{account.UserId}}","cid":"{{account.CompanyId}}","iat":{{now}},"exp":{{now + 3600}},"jti":"{{RandomPart(8)}}"}""";
        return "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." + Base64Url(Encoding.UTF8.GetBytes(payload)) + "." + RandomPart(32);
    }

    private static string RandomPart(int bytes) => Base64Url(RandomNumberGenerator.GetBytes(bytes));

    private static string Base64Url(byte[] data) =>
        Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
