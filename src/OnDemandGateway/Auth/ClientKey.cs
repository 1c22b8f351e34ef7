namespace OnDemandGateway.Auth;

/// <summary>An authenticated client: the key's name (never the token) goes into usage records.</summary>
public sealed record ClientKey(string Name, int? RateLimitPerMinute);
