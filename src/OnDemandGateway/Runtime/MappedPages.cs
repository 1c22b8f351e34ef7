using System.Runtime.InteropServices;

namespace OnDemandGateway.Runtime;

/// <summary>Gives the pages of an embedded resource back to the kernel once it has been read. The runtime maps the
/// assembly file; the pages a resource read touched stay in the process's resident set for its lifetime, although
/// nothing reads them again (the o200k rank file: 1.26 MB of Brotli, decompressed once at start-up).
/// <c>MADV_PAGEOUT</c> (Linux 5.4+) only reclaims: the contents stay the file's, and a later read faults them back
/// in. It skips pages another process maps too (several gateways started from one build share them, and they
/// count once in the machine's memory). Elsewhere, or on an older kernel, this does nothing.</summary>
internal static partial class MappedPages
{
    private const int MadvPageout = 21;

    /// <summary>Reclaims the whole pages that lie inside <paramref name="stream"/>'s memory; true when the kernel
    /// took the advice.</summary>
    public static unsafe bool Release(UnmanagedMemoryStream stream)
    {
        if (!OperatingSystem.IsLinux()) return false;
        var page = (nuint)Environment.SystemPageSize;
        var start = (nuint)(stream.PositionPointer - stream.Position);
        var end = start + (nuint)stream.Length;
        var first = (start + page - 1) & ~(page - 1);   // only pages that hold nothing but the resource
        var last = end & ~(page - 1);
        if (last <= first) return false;
        try
        {
            return madvise((nint)first, last - first, MadvPageout) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libc")]
    private static partial int madvise(nint address, nuint length, int advice);
}
