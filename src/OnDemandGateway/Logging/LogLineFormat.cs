using System.Text.RegularExpressions;

namespace OnDemandGateway.Logging;

/// <summary>A parsed Python-logging format string (<c>%(asctime)s %(levelname)-8s %(message)s</c>). Parsed once
/// at start-up so formatting a line is a walk over a small array.</summary>
internal sealed partial class LogLineFormat
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
        foreach (Match match in Placeholder().Matches(format))
        {
            literal.Append(format, position, match.Index - position);
            position = match.Index + match.Length;
            if (match.Value == "%%") { literal.Append('%'); continue; }
            if (literal.Length > 0) { segments.Add(new Segment(Field.Literal, literal.ToString(), 0, false, false, -1)); literal.Clear(); }

            var key = match.Groups["key"].Value;
            var field = FieldOf(key);
            if (field == Field.Unknown && !unknown.Contains(key)) unknown.Add(key);
            var flags = match.Groups["flags"].Value;
            var width = match.Groups["width"].Success ? int.Parse(match.Groups["width"].Value) : 0;
            var precision = match.Groups["precision"].Success ? int.Parse(match.Groups["precision"].Value) : -1;
            segments.Add(new Segment(field, key, width, flags.Contains('-'), flags.Contains('0'), precision));
        }
        literal.Append(format, position, format.Length - position);
        if (literal.Length > 0) segments.Add(new Segment(Field.Literal, literal.ToString(), 0, false, false, -1));
        return new LogLineFormat([.. segments], [.. unknown]);
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

    [GeneratedRegex(@"%%|%\((?<key>[A-Za-z_][A-Za-z0-9_]*)\)(?<flags>[-#0 +]*)(?<width>\d+)?(?:\.(?<precision>\d+))?[sdifrx]")]
    private static partial Regex Placeholder();
}
