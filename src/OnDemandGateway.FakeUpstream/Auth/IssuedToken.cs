namespace OnDemandGateway.FakeUpstream.Auth;

/// <summary>An access or refresh token the fake handed out. Tokens from a generation at or below the
/// store's floor are expired/revoked, so expiring "all tokens issued so far" is one counter write.</summary>
internal sealed record IssuedToken(FakeAccount Account, long Generation);
