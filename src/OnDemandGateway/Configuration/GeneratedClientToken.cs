using System.Buffers.Text;
using System.Security.Cryptography;

namespace OnDemandGateway.Configuration;

/// <summary>The client token used when none is configured: there is never a well-known default. Created once
/// (32 random bytes, URL-safe base64, <c>odg-</c> prefix), kept in <c>DATA_DIR/client_token</c> readable by
/// the owner only, and reused on later starts. With PostgreSQL the database holds the one token every instance
/// uses (<see cref="Cluster.SharedClientToken"/>) and this file is each instance's copy of it.</summary>
internal static class GeneratedClientToken
{
    public const string KeyName = "generated";
    public const string FileName = "client_token";
    public const string Prefix = "odg-";

    public static string PathIn(string dataDir) => Path.Combine(dataDir, FileName);

    public static string NewToken() => Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <returns>The token, and whether it was created now (then the caller shows it, once).</returns>
    public static (string Token, bool Created) LoadOrCreate(string dataDir)
    {
        var path = PathIn(dataDir);
        if (TryRead(dataDir) is { } existing) return (existing, false);
        var token = NewToken();
        try
        {
            Write(dataDir, token, replace: File.Exists(path));
            return (token, true);
        }
        catch (IOException) when (TryRead(dataDir) is { } winner)
        {
            return (winner, false);
        }
    }

    public static string? TryRead(string dataDir)
    {
        var path = PathIn(dataDir);
        if (!File.Exists(path)) return null;
        var text = File.ReadAllText(path).Trim();
        return text.Length > 0 ? text : null;
    }

    /// <summary>Writes aside, then moves into place: a concurrent start never reads a half-written file, and
    /// without <paramref name="replace"/>, if another process won the race its token is the one everybody keeps
    /// (the move throws <see cref="IOException"/>).</summary>
    public static void Write(string dataDir, string token, bool replace)
    {
        var path = PathIn(dataDir);
        Directory.CreateDirectory(dataDir);
        var temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var stream = new FileStream(temporary, OwnerOnly()))
            using (var writer = new StreamWriter(stream))
                writer.Write(token + "\n");
            File.Move(temporary, path, overwrite: replace);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static FileStreamOptions OwnerOnly()
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        return options;
    }
}
