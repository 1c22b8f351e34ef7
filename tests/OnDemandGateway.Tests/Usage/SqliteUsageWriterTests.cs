namespace OnDemandGateway.Tests.Usage;

public sealed class SqliteUsageWriterTests() : UsageWriterTests(new SqliteTestDatabases());
