namespace OnDemandGateway.Tests.Usage;

public sealed class SqliteUsageStoreWritePathTests() : UsageStoreWritePathTests(new SqliteTestDatabases());
