using OnDemandGateway.Usage.Legacy;

namespace OnDemandGateway.Tests.Usage;

public sealed class LegacyStatsReaderTests
{
    private static readonly DateTimeOffset Nov1 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Read_StatsVariantNamesAndCountsOnlyEntries_ReadsFiguresAndSiblingMaps()
    {
        var stats = LegacyStatsReader.Read("""
            { "requests": "12", "failed": 2, "tokens": 900,
              "model_stats": { "gpt-4o": 7, "o3-mini": { "count": 5, "input_tokens": 100, "output_tokens": 50, "estimated_cost": "0.5" } },
              "model_tokens": { "gpt-4o": 750 }, "model_cost": { "gpt-4o": 0.2 },
              "daily_stats": [ { "date": "2026/11/01", "requests": 12 } ],
              "unknown_section": { "x": 1 } }
            """);

        Assert.Equal(new LegacyFigures(12, null, 2, 900, 0, 0), stats.Totals);
        Assert.Equal(10, stats.Totals!.KnownSuccesses);
        Assert.Equal(new LegacyFigures(7, null, null, 750, 0, 0.2m), stats.Models["gpt-4o"]);
        Assert.Equal(new LegacyFigures(5, null, null, 100, 50, 0.5m), stats.Models["o3-mini"]);
        Assert.Equal(12, stats.Days[Nov1].Requests);
        Assert.Empty(stats.Skipped);
    }

    [Theory]
    [InlineData("""{ "hourly_usage": { "2026-11-01 13": { "requests": 4 } } }""")]
    [InlineData("""{ "hourly_usage": { "2026-11-01 13:00": { "requests": 4 } } }""")]
    [InlineData("""{ "hourly_usage": { "2026-11-01T13:00:00": { "requests": 4 } } }""")]
    [InlineData("""{ "hourly_usage": { "2026-11-01": { "13": { "requests": 4 } } } }""")]
    [InlineData("""{ "hourly_stats": { "date": "2026-11-01", "13": { "requests": 4 } } }""")]
    [InlineData("""{ "last_saved": "2026-11-01T20:00:00", "hourly": { "13:00": 4 } }""")]
    [InlineData("""{ "daily_usage": { "2026-11-01": { "requests": 4 } }, "hourly_usage": { "13": { "requests": 4 } } }""")]
    public void Read_HourKeyVariants_AllLandOnTheSameUtcHour(string json)
    {
        var stats = LegacyStatsReader.Read(json);

        Assert.Equal([(Nov1.AddHours(13), 4L)], stats.Hours.Select(h => (h.Key, h.Value.Requests)));
        Assert.Empty(stats.Skipped);
    }

    [Fact]
    public void Read_BareHoursWithoutAnyDate_SkippedAndReported()
    {
        var stats = LegacyStatsReader.Read("""{ "hourly_usage": { "13": { "requests": 4 } } }""");

        Assert.Empty(stats.Hours);
        Assert.Equal(["hour '13'"], stats.Skipped);
    }

    [Fact]
    public void Read_NotAnObject_Throws() => Assert.Throws<FormatException>(() => LegacyStatsReader.Read("[1, 2]"));
}
