namespace OnDemandGateway.Logging;

/// <summary>A parsed Python-logging format string (<c>%(asctime)s %(levelname)-8s %(message)s</c>). Parsed once
/// at start-up so formatting a line is a walk over a small array. (Scanned by hand rather than with a Regex, so the
/// regular-expression assembly never loads: ~1 MB of idle RSS.)</summary>
internal sealed class LogLineFormat
{
    public const string Default = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s";

    public enum Field { Literal, AscTime, Created, Msecs, Name, LevelName, LevelNo, Message, RequestId, Process, Thread, ThreadName, Unknown }

    /// <summary>One piece of the line; <see cref="Width"/> pads (left-aligned when <see cref="LeftAlign"/>),
    /// <see cref="Precision"/> truncates strings or sets decimals, as Python's %-formatting does.</summary>
    public readonly record struct Segment(Field Field, string Text, int Width, bool LeftAlign, bool ZeroPad, int Precision);

    private LogLineFormat(Segment[] segments, string[] unknown)
    {
        Segments = segments;
        UnknownPlaceholders = unknown;
        UsesRequestId = segments.Any(s => s.Field == Field.RequestId);
    }

    public IReadOnlyList<Segment> Segments { get; }

    /// <summary>Placeholders this gateway has no value for (e.g. <c>%(lineno)d</c>); they render as <c>-</c>.</summary>
    public IReadOnlyList<string> UnknownPlaceholders { get; }

    public bool UsesRequestId { get; }

    public static LogLineFormat Parse(string? format)
    {
        format = string.IsNullOrEmpty(format) ? Default : format;
        var segments = new List<Segment>();
        var unknown = new List<string>();
        var literal = new System.Text.StringBuilder();
        var position = 0;
        while (position < format.Length)
        {
            if (format[position] != '%') { literal.Append(format[position++]); continue; }
            if (position + 1 < format.Length && format[position + 1] == '%') { literal.Append('%'); position += 2; continue; }
            if (!TryReadPlaceholder(format, position, out var segment, out var end))
            {
                literal.Append('%');
                position++;
                continue;
            }
            if (literal.Length > 0) { segments.Add(new Segment(Field.Literal, literal.ToString(), 0, false, false, -1)); literal.Clear(); }
            if (segment.Field == Field.Unknown && !unknown.Contains(segment.Text)) unknown.Add(segment.Text);
            segments.Add(segment);
            position = end;
        }
        if (literal.Length > 0) segments.Add(new Segment(Field.Literal, literal.ToString(), 0, false, false, -1));
        return new LogLineFormat([.. segments], [.. unknown]);
    }

    /// <summary>Reads <c>%(key)[flags][width][.precision]conversion</c> at <paramref name="start"/> (a '%'), as
    /// Python's %-formatting spells it: key <c>[A-Za-z_][A-Za-z0-9_]*</c>, flags from <c>-#0 +</c>, conversion one
    /// of <c>sdifrx</c>. False when the text there is not one (the '%' is then an ordinary character).</summary>
    private static bool TryReadPlaceholder(string format, int start, out Segment segment, out int end)
    {
        segment = default;
        end = start + 1;
        if (end >= format.Length || format[end] != '(') return false;
        var keyStart = ++end;
        if (end >= format.Length || !(char.IsAsciiLetter(format[end]) || format[end] == '_')) return false;
        while (end < format.Length && (char.IsAsciiLetterOrDigit(format[end]) || format[end] == '_')) end++;
        var key = format[keyStart..end];
        if (end >= format.Length || format[end] != ')') return false;
        end++;
        var flagsStart = end;
        while (end < format.Length && "-#0 +".Contains(format[end])) end++;
        var flags = format.AsSpan(flagsStart, end - flagsStart);
        if (!TryReadNumber(format, ref end, out var width)) return false;
        var precision = -1;
        if (end + 1 < format.Length && format[end] == '.' && char.IsAsciiDigit(format[end + 1]))
        {
            end++;
            if (!TryReadNumber(format, ref end, out precision)) return false;
        }
        if (end >= format.Length || !"sdifrx".Contains(format[end])) return false;
        // As in Python, '0' pads numbers only: '%05s' pads a string with spaces.
        var zeroPad = flags.Contains('0') && "difx".Contains(format[end]);
        end++;
        segment = new Segment(FieldOf(key), key, width, flags.Contains('-'), zeroPad, precision);
        return true;
    }

    /// <summary>Reads ASCII digits at <paramref name="position"/>: none gives 0; false when they overflow.</summary>
    private static bool TryReadNumber(string format, ref int position, out int value)
    {
        var start = position;
        while (position < format.Length && char.IsAsciiDigit(format[position])) position++;
        value = 0;
        return position == start || int.TryParse(format.AsSpan(start, position - start), System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out value);
    }

    private static Field FieldOf(string key) => key switch
    {
        "asctime" => Field.AscTime,
        "created" => Field.Created,
        "msecs" => Field.Msecs,
        "name" => Field.Name,
        "levelname" => Field.LevelName,
        "levelno" => Field.LevelNo,
        "message" => Field.Message,
        "request_id" => Field.RequestId,
        "process" => Field.Process,
        "thread" => Field.Thread,
        "threadName" => Field.ThreadName,
        _ => Field.Unknown,
    };
}
