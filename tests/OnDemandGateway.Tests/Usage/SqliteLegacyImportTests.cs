namespace OnDemandGateway.Tests.Usage;

public sealed class SqliteLegacyImportTests() : LegacyImportTests(new SqliteTestDatabases());
