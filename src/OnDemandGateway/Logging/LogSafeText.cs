using System.Buffers;
using System.Text;

namespace OnDemandGateway.Logging;

/// <summary>Client-supplied text on its way into a log line (the <c>X-Request-Id</c> header, the model name): it
/// must not forge a line of its own, nor flood the log.</summary>
internal static class LogSafeText
{
    // Control characters (C0, DEL, C1 with NEL), the Unicode line and paragraph separators, and the escape
    // character itself, so an escaped "\n" cannot be told apart from a sent one.
    private static readonly SearchValues<char> Escaped = SearchValues.Create(
        string.Concat(Enumerable.Range(0, 0x20).Concat(Enumerable.Range(0x7F, 0x21)).Select(c => (char)c)) + "\u2028\u2029\\");

    /// <summary>At most <paramref name="maxLength"/> letters, digits and <c>-_.:</c>: nothing that could forge a log
    /// line or a header.</summary>
    public static bool IsPlain(string? value, int maxLength)
    {
        if (string.IsNullOrEmpty(value) || value.Length > maxLength) return false;
        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':')) return false;
        }
        return true;
    }

    /// <summary><paramref name="value"/> as it may go into a log line: unchanged when it has no control character
    /// and is at most <paramref name="maxLength"/> long; otherwise with control characters escaped (<c>\n</c>,
    /// <c>\u0085</c>, ...) and cut after about <paramref name="maxLength"/> characters, its full length noted.</summary>
    public static string ForLog(string value, int maxLength)
    {
        if (value.Length <= maxLength && value.AsSpan().IndexOfAny(Escaped) < 0) return value;
        var text = new StringBuilder(Math.Min(value.Length, maxLength) + 24);
        var used = 0;
        for (; used < value.Length && text.Length < maxLength; used++)
        {
            var c = value[used];
            if (!Escaped.Contains(c)) text.Append(c);
            else if (c == '\n') text.Append("\\n");
            else if (c == '\r') text.Append("\\r");
            else if (c == '\t') text.Append("\\t");
            else if (c == '\\') text.Append("\\\\");
            else text.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
        }
        if (used < value.Length)
        {
            if (char.IsHighSurrogate(text[^1])) text.Length--;   // no half of a pair at the cut
            text.Append("...(").Append(value.Length).Append(" chars)");
        }
        return text.ToString();
    }
}
