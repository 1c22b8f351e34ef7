namespace OnDemandGateway.Upstream;

/// <summary>How requests got their upstream session since start: from a reserve (no extra round trip) or created
/// on the spot because the reserve was empty (one more round trip before the query; SESSION_POOL_SIZE too small
/// for the load, or a credential just recovering).</summary>
internal readonly record struct SessionSupplyCounts(long FromReserve, long CreatedInline);
