using System.Runtime.InteropServices;

namespace OnDemandGateway.Runtime;

/// <summary>Gives the pages of an embedded resource back to the kernel once it has been read. The runtime maps the
/// assembly file; the pages a resource read touched stay in the process's resident set for its lifetime, although
/// nothing reads them again (the o200k rank file: 1.26 MB of Brotli, decompressed once at start-up).
/// <c>MADV_PAGEOUT</c> (Linux 5.4+) only reclaims: the contents stay the file's, and a later read faults them back
/// in. It skips pages another process maps too (several gateways started from one build share them, and they
/// count once in the machine's memory), and the kernel pages out a file's pages only for a process that owns the file
/// or may write it (root does): a gateway running as a service user from a root-owned binary, as in the Dockerfile,
/// keeps them. Elsewhere, or on an older kernel, this does nothing. Never fails the caller.</summary>
internal static partial class MappedPages
{
    private const int MadvPageout = 21;

    /// <summary>Asks the kernel to reclaim the whole pages that lie inside <paramref name="stream"/>'s memory; true
    /// when it accepted the advice (which it may still apply to none of them).</summary>
    public static unsafe bool Release(UnmanagedMemoryStream stream)
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            var page = (nuint)Environment.SystemPageSize;
            var start = (nuint)(stream.PositionPointer - stream.Position);
            var end = start + (nuint)stream.Length;
            var first = (start + page - 1) & ~(page - 1);   // only pages that hold nothing but the resource
            var last = end & ~(page - 1);
            return last > first && madvise((nint)first, last - first, MadvPageout) == 0;
        }
        catch (Exception)
        {
            // Best effort: a failure here must never fail the rank file's load (a Lazy would keep that failure).
            return false;
        }
    }

    [LibraryImport("libc")]
    private static partial int madvise(nint address, nuint length, int advice);
}
