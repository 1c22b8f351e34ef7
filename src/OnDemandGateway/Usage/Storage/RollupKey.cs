namespace OnDemandGateway.Usage.Storage;

/// <summary>A live rollup row's identity within one table (scope is always <see cref="RollupScope.All"/> for live
/// rows). Ordered by bucket, then ordinally by text, the order upserts take row locks in.</summary>
internal readonly record struct RollupKey(long BucketStartMs, string Model, string ClientKey, string Credential) : IComparable<RollupKey>
{
    public int CompareTo(RollupKey other)
    {
        var c = BucketStartMs.CompareTo(other.BucketStartMs);
        if (c == 0) c = string.CompareOrdinal(Model, other.Model);
        if (c == 0) c = string.CompareOrdinal(ClientKey, other.ClientKey);
        if (c == 0) c = string.CompareOrdinal(Credential, other.Credential);
        return c;
    }
}
