using OnDemandGateway.Tests.TestSupport;

namespace OnDemandGateway.Tests.Usage;

/// <summary>Fresh PostgreSQL databases from the class's <see cref="PostgresFixture"/> (which drops them).</summary>
internal sealed class PostgresTestDatabases(PostgresFixture fixture) : TestDatabases
{
    public override string Kind => "postgres";
    public override Task<string> NewUrlAsync() => fixture.CreateDatabaseAsync();
    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
