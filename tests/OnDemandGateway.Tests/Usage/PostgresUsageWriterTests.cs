using OnDemandGateway.Tests.TestSupport;

namespace OnDemandGateway.Tests.Usage;

public sealed class PostgresUsageWriterTests(PostgresFixture postgres)
    : UsageWriterTests(new PostgresTestDatabases(postgres)), IClassFixture<PostgresFixture>;
