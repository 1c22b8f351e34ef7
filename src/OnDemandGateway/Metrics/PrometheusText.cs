using System.Globalization;
using System.Text;

namespace OnDemandGateway.Metrics;

/// <summary>Writes the Prometheus text exposition format 0.0.4 by hand (no client library is available here).</summary>
internal sealed class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly StringBuilder _text = new();

    public PrometheusText Family(string name, string type, string help)
    {
        _text.Append("# HELP ").Append(name).Append(' ').Append(EscapeHelp(help)).Append('\n');
        _text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        return this;
    }

    /// <summary>One sample; <paramref name="labels"/> are name/value pairs.</summary>
    public PrometheusText Sample(string name, double value, params ReadOnlySpan<(string Name, string Value)> labels)
    {
        _text.Append(name);
        if (labels.Length > 0)
        {
            _text.Append('{');
            for (var i = 0; i < labels.Length; i++)
            {
                if (i > 0) _text.Append(',');
                _text.Append(labels[i].Name).Append("=\"").Append(EscapeLabelValue(labels[i].Value)).Append('"');
            }
            _text.Append('}');
        }
        _text.Append(' ').Append(FormatValue(value)).Append('\n');
        return this;
    }

    public PrometheusText Histogram(string name, string help, MetricHistogram histogram)
    {
        Family(name, "histogram", help);
        var counts = histogram.CumulativeCounts();
        for (var i = 0; i < histogram.UpperBounds.Count; i++)
            Sample(name + "_bucket", counts[i], ("le", FormatValue(histogram.UpperBounds[i])));
        Sample(name + "_bucket", counts[^1], ("le", "+Inf"));
        Sample(name + "_sum", histogram.Sum);
        return Sample(name + "_count", counts[^1]);
    }

    public override string ToString() => _text.ToString();

    /// <summary>Label values escape backslash, double quote and line feed (and nothing else).</summary>
    public static string EscapeLabelValue(string value)
    {
        if (value.AsSpan().IndexOfAny('\\', '"', '\n') < 0) return value;
        return value.Replace("\\", @"\\").Replace("\"", "\\\"").Replace("\n", @"\n");
    }

    /// <summary>HELP text escapes backslash and line feed only.</summary>
    public static string EscapeHelp(string help) => help.Replace("\\", @"\\").Replace("\n", @"\n");

    public static string FormatValue(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };
}
