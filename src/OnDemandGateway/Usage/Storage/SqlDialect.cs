namespace OnDemandGateway.Usage.Storage;

/// <summary>The few spots where SQLite and PostgreSQL SQL differ; everything else is written once.
/// <see cref="RowsPerInsert"/>: PostgreSQL pays a network round trip per statement, so raw records go in 100 rows
/// (1,600 parameters) at a time; SQLite is in-process and binds parameters by name (quadratic in their number),
/// so one reused single-row statement is fastest there.</summary>
internal sealed record SqlDialect(string IdentityPrimaryKey, string Real, string Greatest, int RowsPerInsert)
{
    public static readonly SqlDialect Sqlite = new("INTEGER PRIMARY KEY", "REAL", "MAX", 1);
    public static readonly SqlDialect Postgres = new("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "DOUBLE PRECISION", "GREATEST", 100);
}
