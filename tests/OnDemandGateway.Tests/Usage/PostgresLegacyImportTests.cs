using OnDemandGateway.Tests.TestSupport;

namespace OnDemandGateway.Tests.Usage;

public sealed class PostgresLegacyImportTests(PostgresFixture postgres)
    : LegacyImportTests(new PostgresTestDatabases(postgres)), IClassFixture<PostgresFixture>;
