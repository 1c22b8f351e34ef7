using OnDemandGateway.Tests.TestSupport;

namespace OnDemandGateway.Tests.Usage;

public sealed class PostgresUsageStoreTests(PostgresFixture postgres)
    : UsageStoreTests(new PostgresTestDatabases(postgres)), IClassFixture<PostgresFixture>;
