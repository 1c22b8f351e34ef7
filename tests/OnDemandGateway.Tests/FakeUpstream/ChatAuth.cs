using System.Net.Http.Headers;

namespace OnDemandGateway.Tests.FakeUpstream;

/// <summary>How a chat call authenticates: the path prefix and the headers of one credential kind.</summary>
internal sealed record ChatAuth(string Prefix, string? ApiKey, string Token, string RefreshToken, string UserId, string CompanyId)
{
    public static ChatAuth Key(string key) => new("/chat/v1/sessions", key, "", "", "", "");

    public static ChatAuth Account(string token, string refresh, string userId, string companyId) =>
        new("/chat/v1/client/sessions", null, token, refresh, userId, companyId);

    public void Apply(HttpRequestMessage request, bool sessionCreation)
    {
        if (ApiKey is not null)
        {
            request.Headers.Add("apikey", ApiKey);
            return;
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        request.Headers.Add("x-company-id", CompanyId);
        if (sessionCreation)
        {
            request.Headers.Add("x-user-id", UserId);
        }
    }
}
