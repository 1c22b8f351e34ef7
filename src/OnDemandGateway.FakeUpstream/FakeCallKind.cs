namespace OnDemandGateway.FakeUpstream;

/// <summary>Which upstream operation a recorded <see cref="FakeCall"/> was.</summary>
public enum FakeCallKind
{
    Signin,
    Refresh,
    CreateSession,
    Query,
}
