using OnDemandGateway.Auth;
using OnDemandGateway.Configuration;
using OnDemandGateway.Tests.TestSupport;

namespace OnDemandGateway.Tests.Dashboard;

public sealed class DashboardSessionsTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 13, 8, 0, 0, TimeSpan.Zero);

    private static ClientKeyRing Ring(string testToken = "token-of-test-key") =>
        new([new ClientKeyOptions("test", testToken), new ClientKeyOptions("ops", "token-of-ops-key")]);

    private static string IssueForTest(DashboardSessions sessions, ClientKeyRing ring)
    {
        Assert.True(ring.TryAuthenticate("token-of-test-key", out var key));
        return sessions.Issue(key);
    }

    [Fact]
    public void TryValidate_FreshSession_ReturnsItsKey()
    {
        var ring = Ring();
        var sessions = new DashboardSessions(ring, new ManualTimeProvider(Start));
        var value = IssueForTest(sessions, ring);

        Assert.StartsWith("test|" + Start.Add(DashboardSessions.Lifetime).ToUnixTimeSeconds() + "|", value);
        Assert.True(sessions.TryValidate(value, out var key));
        Assert.Equal("test", key.Name);
    }

    [Fact]
    public void TryValidate_TamperedParts_Rejected()
    {
        var ring = Ring();
        var sessions = new DashboardSessions(ring, new ManualTimeProvider(Start));
        var value = IssueForTest(sessions, ring);
        var parts = value.Split('|');
        var laterExpiry = (long.Parse(parts[1]) + 86_400).ToString();
        var flipped = parts[2][0] == 'A' ? 'B' + parts[2][1..] : 'A' + parts[2][1..];

        Assert.False(sessions.TryValidate($"ops|{parts[1]}|{parts[2]}", out _));           // other key, same signature
        Assert.False(sessions.TryValidate($"test|{laterExpiry}|{parts[2]}", out _));       // extended expiry
        Assert.False(sessions.TryValidate($"test|{parts[1]}|{flipped}", out _));           // forged signature
        Assert.False(sessions.TryValidate($"test|{parts[1]}", out _));
        Assert.False(sessions.TryValidate("garbage", out _));
        Assert.False(sessions.TryValidate("", out _));
        Assert.False(sessions.TryValidate($"nobody|{parts[1]}|{parts[2]}", out _));
    }

    [Fact]
    public void TryValidate_AfterLifetime_Rejected()
    {
        var ring = Ring();
        var clock = new ManualTimeProvider(Start);
        var sessions = new DashboardSessions(ring, clock);
        var value = IssueForTest(sessions, ring);

        clock.Advance(DashboardSessions.Lifetime - TimeSpan.FromSeconds(1));
        Assert.True(sessions.TryValidate(value, out _));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(sessions.TryValidate(value, out _));
    }

    [Fact]
    public void TryValidate_OtherInstanceSameToken_Accepted_RotatedToken_Rejected()
    {
        var ring = Ring();
        var value = IssueForTest(new DashboardSessions(ring, new ManualTimeProvider(Start)), ring);

        Assert.True(new DashboardSessions(Ring(), new ManualTimeProvider(Start)).TryValidate(value, out _));
        Assert.False(new DashboardSessions(Ring("rotated-token"), new ManualTimeProvider(Start)).TryValidate(value, out _));
    }

    [Fact]
    public void IsValidCsrf_OnlyTheSessionsOwnToken_Accepted()
    {
        var ring = Ring();
        var clock = new ManualTimeProvider(Start);
        var sessions = new DashboardSessions(ring, clock);
        var first = IssueForTest(sessions, ring);
        clock.Advance(TimeSpan.FromMinutes(1));
        var second = IssueForTest(sessions, ring);

        var csrf = sessions.CsrfToken(first);
        Assert.NotEmpty(csrf);
        Assert.True(sessions.IsValidCsrf(first, csrf));
        Assert.False(sessions.IsValidCsrf(second, csrf));
        Assert.False(sessions.IsValidCsrf(first, ""));
        Assert.False(sessions.IsValidCsrf(first, null));
        Assert.False(sessions.IsValidCsrf(first, csrf[..^1]));
    }
}
