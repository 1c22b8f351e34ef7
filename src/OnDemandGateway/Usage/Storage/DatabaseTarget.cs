using Npgsql;

namespace OnDemandGateway.Usage.Storage;

public enum DatabaseKind { Sqlite, Postgres }

/// <summary>A parsed <c>DATABASE_URL</c>: which engine, and where: a full file path for SQLite, an Npgsql
/// connection string for PostgreSQL.</summary>
internal sealed record DatabaseTarget(DatabaseKind Kind, string Location)
{
    /// <summary>Accepts <c>sqlite:&lt;path&gt;</c> (also <c>sqlite:///abs/path</c>), <c>postgres://</c> /
    /// <c>postgresql://user:pass@host:port/db?sslmode=require</c>, or an Npgsql <c>key=value;...</c> string.
    /// Null or blank means SQLite at <c>&lt;dataDir&gt;/gateway.db</c>.</summary>
    /// <exception cref="InvalidOperationException">The value is not usable; the message names
    /// <c>DATABASE_URL</c> and never contains the password.</exception>
    public static DatabaseTarget Parse(string? databaseUrl, string dataDir)
    {
        if (string.IsNullOrWhiteSpace(databaseUrl))
            return ForSqlite(Path.Combine(dataDir, "gateway.db"));

        var value = databaseUrl.Trim();
        if (value.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
        {
            var path = value["sqlite:".Length..];
            // URL form sqlite:///var/lib/x.db: the two slashes are the (empty) authority, the rest the path.
            if (path.StartsWith("//", StringComparison.Ordinal)) path = path[2..];
            if (path.Length == 0)
                throw Invalid("sqlite: needs a file path, e.g. sqlite:./data/gateway.db");
            return ForSqlite(path);
        }

        if (value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
            || value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
            return new(DatabaseKind.Postgres, FromPostgresUrl(value));

        if (value.Contains('='))
            return new(DatabaseKind.Postgres, FromKeyValueString(value));

        throw Invalid("expected sqlite:<path>, postgres://user:pass@host:port/db, postgresql://... or an Npgsql key=value string");
    }

    private static DatabaseTarget ForSqlite(string path) => new(DatabaseKind.Sqlite, Path.GetFullPath(path));

    // The PostgreSQL forms are read in methods of their own, so a SQLite gateway never loads Npgsql (and the
    // ADO.NET type-descriptor machinery its connection-string builder brings) just to compile Parse.
    private static string FromKeyValueString(string value)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(value);
            if (string.IsNullOrEmpty(builder.Host))
                throw Invalid("the key=value form needs Host=...");
            return builder.ConnectionString;
        }
        catch (ArgumentException)
        {
            // The provider's message may echo the value, password included: say only what is wrong.
            throw Invalid("it looks like a key=value connection string but Npgsql does not accept it (unknown key or bad value)");
        }
    }

    private static string FromPostgresUrl(string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
            throw Invalid($"cannot parse the URL {Redact(value)}");

        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host.Trim('[', ']'),
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
        };
        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0) builder.Database = database;
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':');
            builder.Username = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            if (colon >= 0) builder.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            var key = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
            var val = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..]);
            try
            {
                // libpq spells a few keys differently from Npgsql; the rest (e.g. "Timeout") pass through.
                builder[key.ToLowerInvariant() switch
                {
                    "sslmode" => "SSL Mode",
                    "application_name" => "Application Name",
                    "connect_timeout" => "Timeout",
                    _ => key,
                }] = key.Equals("sslmode", StringComparison.OrdinalIgnoreCase) ? MapSslMode(val) : val;
            }
            catch (ArgumentException)
            {
                throw Invalid($"unsupported query parameter '{key}' in {Redact(value)}");
            }
        }
        return builder.ConnectionString;
    }

    private static string MapSslMode(string libpq) => libpq.ToLowerInvariant() switch
    {
        "verify-ca" => "VerifyCA",
        "verify-full" => "VerifyFull",
        _ => libpq,
    };

    /// <summary>The URL with its password replaced, for messages.</summary>
    internal static string Redact(string url)
    {
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        var at = url.LastIndexOf('@');
        if (scheme < 0 || at < scheme) return url;
        var userInfo = url[(scheme + 3)..at];
        var colon = userInfo.IndexOf(':');
        return colon < 0 ? url : string.Concat(url.AsSpan(0, scheme + 3), userInfo.AsSpan(0, colon), ":***", url.AsSpan(at));
    }

    private static InvalidOperationException Invalid(string why) => new($"DATABASE_URL is not usable: {why}.");
}
