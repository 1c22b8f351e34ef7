using Npgsql;
using OnDemandGateway.Usage.Storage;

namespace OnDemandGateway.Tests.Usage;

public sealed class DatabaseTargetTests
{
    [Fact]
    public void Parse_Unset_SqliteInDataDir()
    {
        var target = DatabaseTarget.Parse(null, "/var/lib/odg");
        Assert.Equal(new DatabaseTarget(DatabaseKind.Sqlite, "/var/lib/odg/gateway.db"), target);
    }

    [Theory]
    [InlineData("sqlite:/srv/x/usage.db", "/srv/x/usage.db")]
    [InlineData("sqlite:///srv/x/usage.db", "/srv/x/usage.db")]
    public void Parse_SqliteUrl_AbsolutePath(string url, string path) =>
        Assert.Equal(new DatabaseTarget(DatabaseKind.Sqlite, path), DatabaseTarget.Parse(url, "/unused"));

    [Theory]
    [InlineData("postgres://gw:p%40ss@db.internal:6543/usage?sslmode=require")]
    [InlineData("postgresql://gw:p%40ss@db.internal:6543/usage?sslmode=require")]
    [InlineData("Host=db.internal;Port=6543;Username=gw;Password=p@ss;Database=usage;SSL Mode=Require")]
    public void Parse_PostgresForms_SameConnectionSettings(string url)
    {
        var target = DatabaseTarget.Parse(url, "/unused");

        Assert.Equal(DatabaseKind.Postgres, target.Kind);
        var b = new NpgsqlConnectionStringBuilder(target.Location);
        Assert.Equal(("db.internal", 6543, "gw", "p@ss", "usage", SslMode.Require), (b.Host, b.Port, b.Username, b.Password, b.Database, b.SslMode));
    }

    [Theory]
    [InlineData("mysql://root:hunter2secret@localhost/db")]
    [InlineData("Host=x;Pasword=hunter2secret")]
    [InlineData("postgres://root:hunter2secret@localhost/db?frobnicate=1")]
    [InlineData("sqlite:")]
    public void Parse_Unusable_ClearErrorWithoutPassword(string url)
    {
        var error = Assert.Throws<InvalidOperationException>(() => DatabaseTarget.Parse(url, "/unused"));

        Assert.Contains("DATABASE_URL", error.Message);
        Assert.DoesNotContain("hunter2secret", error.Message);
    }
}
