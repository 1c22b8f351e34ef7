namespace OnDemandGateway.Usage.Storage;

/// <summary>A store that can take imported history. Kept off <see cref="IUsageStore"/>: only start-up uses it.</summary>
internal interface ILegacyImportTarget
{
    /// <summary>Writes the rows and marks the import, atomically, only if the database holds no usage at all
    /// and nothing was imported before. Returns false (writing nothing) otherwise.</summary>
    Task<bool> ImportLegacyAsync(IReadOnlyList<RollupRow> hourly, IReadOnlyList<RollupRow> daily, string summary, CancellationToken cancellationToken);
}
