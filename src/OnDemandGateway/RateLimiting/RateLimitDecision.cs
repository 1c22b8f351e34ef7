namespace OnDemandGateway.RateLimiting;

/// <summary>The outcome for one request, with what the <c>x-ratelimit-*</c> headers report.</summary>
internal readonly record struct RateLimitDecision(bool Allowed, int Limit, int Remaining, DateTimeOffset ResetAt)
{
    public static readonly RateLimitDecision Unlimited = new(true, 0, 0, DateTimeOffset.MinValue);
    public bool IsUnlimited => Limit == 0;
}
