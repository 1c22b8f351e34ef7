namespace OnDemandGateway.Tests.Usage;

public sealed class SqliteUsageStoreTests() : UsageStoreTests(new SqliteTestDatabases());
