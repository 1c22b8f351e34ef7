namespace OnDemandGateway.FakeUpstream.Auth;

/// <summary>Who a chat call runs as: the session owner key (apikey or account email) and its company.</summary>
internal sealed record ChatPrincipal(string Owner, string CompanyId);
