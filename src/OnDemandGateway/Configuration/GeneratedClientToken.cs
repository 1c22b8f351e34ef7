using System.Buffers.Text;
using System.Security.Cryptography;

namespace OnDemandGateway.Configuration;

/// <summary>The client token used when none is configured: there is never a well-known default. Created once
/// (32 random bytes, URL-safe base64, <c>odg-</c> prefix), kept in <c>DATA_DIR/client_token</c> readable by
/// the owner only, and reused on later starts.</summary>
internal static class GeneratedClientToken
{
    public const string KeyName = "generated";
    public const string FileName = "client_token";
    public const string Prefix = "odg-";

    public static string PathIn(string dataDir) => Path.Combine(dataDir, FileName);

    /// <returns>The token, and whether it was created now (then the caller shows it, once).</returns>
    public static (string Token, bool Created) LoadOrCreate(string dataDir)
    {
        var path = PathIn(dataDir);
        if (TryRead(path) is { } existing) return (existing, false);
        var replaceEmptyFile = File.Exists(path);

        Directory.CreateDirectory(dataDir);
        var token = Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        // Write aside, then move into place: a concurrent start never reads a half-written file, and if
        // another process won the race its token is the one everybody keeps.
        var temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var stream = new FileStream(temporary, OwnerOnly()))
            using (var writer = new StreamWriter(stream))
                writer.Write(token + "\n");
            File.Move(temporary, path, overwrite: replaceEmptyFile);
            return (token, true);
        }
        catch (IOException) when (TryRead(path) is { } winner)
        {
            return (winner, false);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static string? TryRead(string path)
    {
        if (!File.Exists(path)) return null;
        var text = File.ReadAllText(path).Trim();
        return text.Length > 0 ? text : null;
    }

    private static FileStreamOptions OwnerOnly()
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        return options;
    }
}
