using OnDemandGateway.Tests.TestSupport;

namespace OnDemandGateway.Tests.Usage;

public sealed class PostgresUsageStoreWritePathTests(PostgresFixture postgres)
    : UsageStoreWritePathTests(new PostgresTestDatabases(postgres)), IClassFixture<PostgresFixture>;
