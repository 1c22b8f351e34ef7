namespace OnDemandGateway.FakeUpstream.Auth;

/// <summary>Outcome of looking up a bearer or refresh token.</summary>
internal enum TokenCheck
{
    Valid,
    Unknown,
    Expired,
}
