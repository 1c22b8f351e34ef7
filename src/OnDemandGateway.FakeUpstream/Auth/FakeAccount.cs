namespace OnDemandGateway.FakeUpstream.Auth;

/// <summary>An account the fake accepts at signin, with the ids chat calls must echo back in headers.</summary>
internal sealed record FakeAccount(string Email, string Password, string UserId, string CompanyId);
