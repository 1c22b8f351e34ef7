namespace OnDemandGateway.Accounts;

/// <summary>One state change of a credential, as another instance must apply it: a cooldown deadline (only
/// ever extended), a validity change (invalid since a time, or valid again: null <see cref="InvalidSince"/>
/// with <see cref="ValidityChanged"/>), and/or the last error text.</summary>
internal readonly record struct CredentialChange(
    DateTimeOffset? CoolingUntil = null,
    bool ValidityChanged = false,
    DateTimeOffset? InvalidSince = null,
    string? LastError = null)
{
    /// <summary>Both changes in one: the later validity and error win, the longer cooldown wins.</summary>
    public CredentialChange Merge(CredentialChange later) => new(
        Max(CoolingUntil, later.CoolingUntil),
        ValidityChanged || later.ValidityChanged,
        later.ValidityChanged ? later.InvalidSince : InvalidSince,
        later.LastError ?? LastError);

    private static DateTimeOffset? Max(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a > b ? a : b;
}
