namespace OnDemandGateway.Upstream;

/// <summary>What a signin yields. <see cref="Generation"/> lets concurrent requests that all saw a 401 agree
/// that one renewal is enough.</summary>
internal sealed record AccountToken(string AccessToken, string? RefreshToken, string UserId, string CompanyId, long Generation);
