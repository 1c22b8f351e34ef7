namespace OnDemandGateway.Relay;

internal enum RetryAction
{
    /// <summary>Give the client the error.</summary>
    Fail,
    /// <summary>Move to another credential at once (this one is cooling down or invalid).</summary>
    NextCredential,
    /// <summary>Wait <see cref="RetryDecision.Delay"/>, then try again.</summary>
    Backoff,
}

internal readonly record struct RetryDecision(RetryAction Action, TimeSpan Delay)
{
    public static readonly RetryDecision Fail = new(RetryAction.Fail, TimeSpan.Zero);
    public static readonly RetryDecision NextCredential = new(RetryAction.NextCredential, TimeSpan.Zero);
}
