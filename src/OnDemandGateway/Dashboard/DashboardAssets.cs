using System.Reflection;
using System.Security.Cryptography;
using System.Text;

namespace OnDemandGateway.Dashboard;

/// <summary>The dashboard's HTML, CSS and JS, embedded in the assembly and held in memory: no files to deploy,
/// no CDN, works offline. <see cref="Version"/> changes with any asset and busts browser caches.</summary>
internal sealed class DashboardAssets
{
    private const string Prefix = "OnDemandGateway.Dashboard.Assets.";

    private readonly Dictionary<string, Asset> _assets = new(StringComparer.Ordinal);

    public DashboardAssets()
    {
        var assembly = typeof(DashboardAssets).Assembly;
        using var versionHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var content = Read(assembly, resource);
            var name = resource[Prefix.Length..];
            var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(content).AsSpan(0, 8)) + "\"";
            _assets[name] = new Asset(content, ContentTypeOf(name), etag);
            versionHash.AppendData(content);
        }
        Version = Convert.ToHexStringLower(versionHash.GetHashAndReset().AsSpan(0, 6));
    }

    public string Version { get; }

    public bool TryGet(string name, out Asset asset) => _assets.TryGetValue(name, out asset!);

    public string Text(string name) => Encoding.UTF8.GetString(_assets[name].Content);

    private static byte[] Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    private static string ContentTypeOf(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".svg" => "image/svg+xml",
        _ => "application/octet-stream",
    };

    internal sealed record Asset(byte[] Content, string ContentType, string ETag);
}
