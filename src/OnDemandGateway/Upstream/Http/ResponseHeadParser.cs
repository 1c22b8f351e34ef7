using System.Buffers.Text;
using System.Text;

namespace OnDemandGateway.Upstream.Http;

/// <summary>Parses an HTTP/1.x status line and header block (RFC 9112) from bytes already received. Only the
/// headers the gateway uses are kept; malformed input is an <see cref="HttpRequestException"/> with
/// <see cref="HttpRequestError.InvalidResponse"/>, so it is classified like any other broken upstream reply.</summary>
internal static class ResponseHeadParser
{
    /// <summary>False when <paramref name="buffer"/> does not yet hold the whole head (read more and call again);
    /// otherwise the head and how many bytes it took, including the blank line.</summary>
    public static bool TryParse(ReadOnlySpan<byte> buffer, out ResponseHead head, out int consumed)
    {
        head = null!;
        consumed = 0;
        var end = buffer.IndexOf("\r\n\r\n"u8);
        var terminator = 4;
        var bareEnd = buffer.IndexOf("\n\n"u8);
        if (bareEnd >= 0 && (end < 0 || bareEnd < end))
        {
            end = bareEnd;
            terminator = 2;
        }
        if (end < 0) return false;
        consumed = end + terminator;

        var block = buffer[..(end + terminator / 2)];
        var lineEnd = block.IndexOf((byte)'\n');
        var statusLine = TrimCr(block[..lineEnd]);
        block = block[(lineEnd + 1)..];

        // HTTP/1.1 200 OK
        if (statusLine.Length < 12 || !statusLine.StartsWith("HTTP/1."u8) || statusLine[8] != (byte)' ')
            throw Invalid("the status line is not HTTP/1.x");
        var minor = statusLine[7];
        if (!Utf8Parser.TryParse(statusLine.Slice(9, 3), out int status, out var digits) || digits != 3 || status < 100)
            throw Invalid("the status code is not three digits");
        var reason = statusLine.Length > 13 ? Encoding.Latin1.GetString(statusLine[13..]) : "";

        long? contentLength = null;
        var chunked = false;
        var close = minor == (byte)'0';
        string? contentType = null, retryAfter = null;
        while (!block.IsEmpty)
        {
            lineEnd = block.IndexOf((byte)'\n');
            var line = TrimCr(lineEnd < 0 ? block : block[..lineEnd]);
            block = lineEnd < 0 ? default : block[(lineEnd + 1)..];
            if (line.IsEmpty) continue;
            var colon = line.IndexOf((byte)':');
            if (colon <= 0) throw Invalid("a header line has no name");
            var name = line[..colon];
            var value = line[(colon + 1)..].Trim(" \t"u8);   // optional whitespace is any mix of SP and HTAB
            if (name.EqualsAsciiIgnoreCase("content-length"u8))
            {
                if (!Utf8Parser.TryParse(value, out long length, out var used) || used != value.Length || length < 0)
                    throw Invalid("Content-Length is not a number");
                if (contentLength is { } seen && seen != length) throw Invalid("two different Content-Length headers");
                contentLength = length;
            }
            else if (name.EqualsAsciiIgnoreCase("transfer-encoding"u8))
            {
                // The last coding decides; anything but chunked last means the body runs to the connection's end.
                var last = value.LastIndexOf((byte)',') is var comma and >= 0 ? value[(comma + 1)..].Trim((byte)' ') : value;
                chunked = last.EqualsAsciiIgnoreCase("chunked"u8);
                if (!chunked) close = true;
            }
            else if (name.EqualsAsciiIgnoreCase("connection"u8))
            {
                if (ContainsToken(value, "close"u8)) close = true;
                else if (ContainsToken(value, "keep-alive"u8) && minor == (byte)'0') close = false;
            }
            else if (name.EqualsAsciiIgnoreCase("content-type"u8)) contentType = Encoding.Latin1.GetString(value);
            else if (name.EqualsAsciiIgnoreCase("retry-after"u8)) retryAfter = Encoding.Latin1.GetString(value);
        }
        if (chunked) contentLength = null;   // RFC 9112 6.3: Transfer-Encoding overrides Content-Length
        var hasNoBody = status is < 200 or 204 or 304;
        if (!hasNoBody && !chunked && contentLength is null) close = true;  // delimited by the connection closing
        head = new ResponseHead(status, reason)
        {
            ContentLength = hasNoBody ? 0 : contentLength,
            Chunked = !hasNoBody && chunked,
            ConnectionClose = close,
            ContentType = contentType,
            RetryAfter = retryAfter,
        };
        return true;
    }

    private static ReadOnlySpan<byte> TrimCr(ReadOnlySpan<byte> line) => line.Length > 0 && line[^1] == (byte)'\r' ? line[..^1] : line;

    private static bool ContainsToken(ReadOnlySpan<byte> value, ReadOnlySpan<byte> token)
    {
        foreach (var range in value.Split((byte)','))
        {
            if (value[range].Trim((byte)' ').EqualsAsciiIgnoreCase(token)) return true;
        }
        return false;
    }

    private static bool EqualsAsciiIgnoreCase(this ReadOnlySpan<byte> left, ReadOnlySpan<byte> right) =>
        System.Text.Ascii.EqualsIgnoreCase(left, right);

    internal static HttpRequestException Invalid(string message) =>
        new(HttpRequestError.InvalidResponse, "The upstream sent an invalid HTTP response: " + message + ".");
}
