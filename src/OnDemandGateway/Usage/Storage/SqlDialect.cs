namespace OnDemandGateway.Usage.Storage;

/// <summary>The few spots where SQLite and PostgreSQL SQL differ; everything else is written once.</summary>
internal sealed record SqlDialect(string IdentityPrimaryKey, string Real, string Greatest)
{
    public static readonly SqlDialect Sqlite = new("INTEGER PRIMARY KEY", "REAL", "MAX");
    public static readonly SqlDialect Postgres = new("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "DOUBLE PRECISION", "GREATEST");
}
