using System.IO.Compression;

namespace OnDemandGateway.Tokenization;

/// <summary>
/// The embedded rank files: OpenAI's published <c>.tiktoken</c> files, byte for byte, Brotli-compressed under
/// Tokenization/Data (see THIRD-PARTY-NOTICES.md). Nothing is read from disk or the network.
/// </summary>
internal static class BpeRankData
{
    /// <summary>The decompressed <c>{name}.tiktoken</c> file.</summary>
    public static ArraySegment<byte> ReadFile(string name)
    {
        var resource = $"OnDemandGateway.Tokenization.Data.{name}.tiktoken.br";
        using var stream = typeof(BpeRankData).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Embedded resource {resource} is missing.");
        using var brotli = new BrotliStream(stream, CompressionMode.Decompress);
        // The files are 1.7 and 3.6 MB; start big enough for o200k to avoid repeated growth.
        using var text = new MemoryStream(4 << 20);
        brotli.CopyTo(text);
        if (stream is UnmanagedMemoryStream mapped)
        {
            // Read once: its pages need not stay resident (1.2 MB for o200k).
            Runtime.MappedPages.Release(mapped);
        }
        return new ArraySegment<byte>(text.GetBuffer(), 0, (int)text.Length);
    }

    public static BpeRanks Load(string name) => BpeRanks.Parse(ReadFile(name));
}
