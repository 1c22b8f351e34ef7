using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using OnDemandGateway.Accounts;
using OnDemandGateway.Tests.TestSupport;
using OnDemandGateway.Usage;

namespace OnDemandGateway.Tests.Dashboard;

/// <summary>Drives the real dashboard in headless Chromium against a real gateway on loopback.</summary>
public sealed class DashboardBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const float TimeoutMs = 15_000;

    private async Task<(IBrowserContext Context, IPage Page)> OpenAsync(BrowserGatewayHost host, string locale = "en-US")
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = host.BaseAddress.ToString(),
            Locale = locale,
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            TimezoneId = "UTC",
        });
        context.SetDefaultTimeout(TimeoutMs);
        return (context, await context.NewPageAsync());
    }

    private static async Task LogInAsync(IPage page, string token = BrowserGatewayHost.Token)
    {
        await page.GotoAsync("/");
        await page.FillAsync("#token", token);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForSelectorAsync("body[data-refreshes]");
    }

    private static async Task SeedAsync(BrowserGatewayHost host)
    {
        var now = DateTimeOffset.UtcNow;
        await host.SeedAsync(
            SampleUsage.Record(now.AddHours(-1), model: "gpt-4o", key: "test", credential: "sk-a…1111", promptTokens: 1200, completionTokens: 34, latencyMs: 850, firstTokenMs: 300, costUsd: 0.0061m, stream: true),
            SampleUsage.Record(now.AddHours(-2), model: "claude-4-sonnet", key: "ops", credential: "ab***@example.com", promptTokens: 10, completionTokens: 20, latencyMs: 1500, firstTokenMs: 500, costUsd: 0.0062m),
            SampleUsage.Record(now.AddDays(-1), model: "gpt-4o", key: "test", credential: "sk-a…1111", outcome: UsageOutcome.RateLimited, promptTokens: 0, completionTokens: 0, latencyMs: 130, costUsd: 0m, error: "upstream rate limit"),
            SampleUsage.Record(now.AddHours(-26), model: "o3", key: "test", credential: "sk-z…9999", promptTokens: 24, completionTokens: 10, latencyMs: 2400, costUsd: 0.0001m));
        host.Flusher.Dropped = 2;
        host.Flusher.Pending = 5;
        host.Credentials.Credentials =
        [
            new("sk-a…1111", "api_key", CredentialStates.Ok, null, null, 10, 0, 1),
            new("ab***@example.com", "account", CredentialStates.Cooling, now.AddMinutes(5), "rate limited (429)", 5, 2, 0),
            new("sk-z…9999", "api_key", CredentialStates.Invalid, null, "unauthenticated (401)", 3, 3, 0),
        ];
    }

    private static async Task ScreenshotAsync(IPage page, string name) =>
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, name), FullPage = true });

    private static Task<string> CardAsync(IPage page, string card) => page.Locator($"[data-card='{card}'] .card-value").InnerTextAsync();

    [Fact]
    public async Task Root_Anonymous_ShowsOnlyLoginAndApisReturn401()
    {
        await using var host = await BrowserGatewayHost.StartAsync();
        await SeedAsync(host);
        var (context, page) = await OpenAsync(host);

        await page.GotoAsync("/");

        Assert.True(await page.Locator("input#token[type=password][name=token]").IsVisibleAsync());
        Assert.Equal(0, await page.Locator(".card").CountAsync());
        Assert.Equal(0, await page.Locator("table").CountAsync());
        var statuses = await page.EvaluateAsync<int[]>("() => Promise.all(['/api/stats', '/api/requests', '/api/accounts'].map(u => fetch(u).then(r => r.status)))");
        Assert.Equal([401, 401, 401], statuses);
        var text = await page.InnerTextAsync("body");
        Assert.DoesNotContain("sk-a", text);
        Assert.DoesNotContain("gpt-4o", text);
        await ScreenshotAsync(page, "login-en.png");
        await context.DisposeAsync();
    }

    [Fact]
    public async Task Login_WrongToken_ShowsErrorWithStatus401()
    {
        await using var host = await BrowserGatewayHost.StartAsync();
        var (context, page) = await OpenAsync(host);
        await page.GotoAsync("/");
        Assert.False(await page.Locator("#login-error").IsVisibleAsync());

        await page.FillAsync("#token", "not-the-token");
        var response = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("button[type=submit]"), r => r.Url.EndsWith("/login"));
        await page.WaitForLoadStateAsync();

        Assert.Equal(401, response.Status);
        Assert.True(await page.Locator("#login-error").IsVisibleAsync());
        Assert.Equal("That token is not valid.", await page.InnerTextAsync("#login-error"));
        Assert.Equal(0, await page.Locator(".card").CountAsync());
        await context.DisposeAsync();
    }

    [Fact]
    public async Task Cards_AfterLogin_ShowWhatApiStatsReports()
    {
        await using var host = await BrowserGatewayHost.StartAsync();
        await SeedAsync(host);
        var (context, page) = await OpenAsync(host);

        await LogInAsync(page);
        using var api = host.Client(bearer: BrowserGatewayHost.Token);
        var stats = await api.GetFromJsonAsync<JsonElement>("api/stats");
        long Long(string name) => stats.GetProperty(name).GetInt64();
        double Double(string name) => stats.GetProperty(name).GetDouble();

        // Fixed expectations first, so the test cannot pass by comparing two wrong numbers.
        Assert.Equal("4", await CardAsync(page, "requests"));
        Assert.Equal("75.0%", await CardAsync(page, "success_rate"));
        Assert.Equal("1,234", await CardAsync(page, "prompt_tokens"));
        // Then every card against the API's own figures, formatted the way the page formats them.
        Assert.Equal(Long("total_requests").ToString("N0", CultureInfo.InvariantCulture), await CardAsync(page, "requests"));
        Assert.Equal((100.0 * Long("successful_requests") / Long("total_requests")).ToString("F1", CultureInfo.InvariantCulture) + "%", await CardAsync(page, "success_rate"));
        Assert.Equal(Long("prompt_tokens").ToString("N0", CultureInfo.InvariantCulture), await CardAsync(page, "prompt_tokens"));
        Assert.Equal(Long("completion_tokens").ToString("N0", CultureInfo.InvariantCulture), await CardAsync(page, "completion_tokens"));
        Assert.Equal("$" + stats.GetProperty("estimated_cost_usd").GetDecimal().ToString("F4", CultureInfo.InvariantCulture), await CardAsync(page, "cost"));
        Assert.Equal("$0.0124", await CardAsync(page, "cost"));
        Assert.Equal(Ms(Double("average_latency_ms")), await CardAsync(page, "avg_latency"));
        Assert.Equal("1.22 s", await CardAsync(page, "avg_latency"));
        Assert.Equal(Ms(Double("p95_latency_ms")), await CardAsync(page, "p95_latency"));
        Assert.Equal(Ms(Double("average_time_to_first_token_ms")), await CardAsync(page, "avg_ttft"));
        Assert.Equal("400 ms", await CardAsync(page, "avg_ttft"));
        Assert.Equal(stats.GetProperty("queue").GetProperty("dropped").GetInt64().ToString(CultureInfo.InvariantCulture), await CardAsync(page, "queue_dropped"));
        Assert.Equal("2", await CardAsync(page, "queue_dropped"));
        Assert.Contains("5", await page.InnerTextAsync("[data-card='queue_dropped'] .card-sub"));
        Assert.Matches(@"Last updated \d\d:\d\d:\d\d", await page.InnerTextAsync("#last-updated"));
        await ScreenshotAsync(page, "dashboard-en.png");
        await context.DisposeAsync();

        static string Ms(double ms) => ms < 1000 ? Math.Round(ms).ToString(CultureInfo.InvariantCulture) + " ms" : (ms / 1000).ToString("F2", CultureInfo.InvariantCulture) + " s";
    }

    [Fact]
    public async Task Charts_AfterLogin_DrawSvgBarsAndLegends()
    {
        await using var host = await BrowserGatewayHost.StartAsync();
        await SeedAsync(host);
        var (context, page) = await OpenAsync(host);

        await LogInAsync(page);

        // The two requests of the last few hours, one per model; the rate-limited one is 24 h old.
        var hourly = page.Locator("#chart-requests-hourly svg rect.bar");
        Assert.Equal(2, await hourly.CountAsync());
        Assert.Equal(["claude-4-sonnet", "gpt-4o"], (await hourly.EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.series)")).Order().ToArray());
        Assert.Equal(2, await page.Locator("#chart-tokens-hourly svg rect.bar").CountAsync());
        Assert.True(await page.Locator("#chart-requests-daily svg rect.bar").CountAsync() >= 3);
        Assert.True(await page.Locator("#chart-tokens-daily svg rect.bar").CountAsync() >= 3);
        var legend = await page.InnerTextAsync("#chart-requests-daily .legend");
        Assert.Contains("gpt-4o", legend);
        Assert.Contains("o3", legend);
        Assert.Equal(["ab***@example.com", "sk-a…1111", "sk-z…9999"],
            (await page.Locator("#chart-by-credential rect.bar").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.name)")).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(2, await page.Locator("#chart-by-key rect.bar").CountAsync());
        // The busiest key has the longest bar.
        var widths = await page.Locator("#chart-by-key rect.bar").EvaluateAllAsync<double[]>("els => els.map(e => Number(e.getAttribute('width')))");
        Assert.True(widths[0] > widths[1]);
        Assert.Contains("test", await page.InnerTextAsync("#chart-by-key"));
        await context.DisposeAsync();
    }

    [Fact]
    public async Task LanguageSwitch_Click_TranslatesEveryLabelAndIsRemembered()
    {
        await using var host = await BrowserGatewayHost.StartAsync();
        await SeedAsync(host);
        var (context, page) = await OpenAsync(host);
        await LogInAsync(page);
        const string LabelsScript = "() => [...document.querySelectorAll('[data-i18n]')].map(e => e.textContent)";
        var english = await page.EvaluateAsync<string[]>(LabelsScript);
        Assert.Equal("Requests", await page.InnerTextAsync("[data-card='requests'] .card-label"));

        await page.ClickAsync("[data-set-lang='zh']");

        var chinese = await page.EvaluateAsync<string[]>(LabelsScript);
        Assert.Equal(english.Length, chinese.Length);
        var untranslated = english.Zip(chinese).Where(p => p.First == p.Second).Select(p => p.First).ToArray();
        Assert.Empty(untranslated);
        Assert.Equal("请求数", await page.InnerTextAsync("[data-card='requests'] .card-label"));
        Assert.Equal("凭据池", await page.InnerTextAsync("#pool h2"));
        Assert.Equal("zh-CN", await page.GetAttributeAsync("html", "lang"));
        // Data-driven text follows too: states, outcomes, "last updated".
        Assert.Contains("冷却中", await page.InnerTextAsync("#pool-table"));
        Assert.Contains("最后更新", await page.InnerTextAsync("#last-updated"));

        await page.ReloadAsync();
        await page.WaitForSelectorAsync("body[data-refreshes]");
        Assert.Equal("请求数", await page.InnerTextAsync("[data-card='requests'] .card-label"));
        await ScreenshotAsync(page, "dashboard-zh.png");

        await page.ClickAsync("[data-set-lang='en']");
        Assert.Equal("Requests", await page.InnerTextAsync("[data-card='requests'] .card-label"));
        await context.DisposeAsync();
    }

    [Fact]
    public async Task AcceptLanguageZh_FirstVisit_ShowsChinese()
    {
        await using var host = await BrowserGatewayHost.StartAsync();
        await SeedAsync(host);
        var (context, page) = await OpenAsync(host, locale: "zh-CN");

        await page.GotoAsync("/");
        Assert.Equal("登录控制台", await page.InnerTextAsync("h1"));
        Assert.Equal("登录", await page.InnerTextAsync("button[type=submit]"));
        await ScreenshotAsync(page, "login-zh.png");
        await LogInAsync(page);

        Assert.Equal("请求数", await page.InnerTextAsync("[data-card='requests'] .card-label"));
        Assert.Equal("true", await page.GetAttributeAsync("[data-set-lang='zh']", "aria-pressed"));
        await context.DisposeAsync();
    }

    [Fact]
    public async Task Pool_AfterLogin_ShowsMaskedCredentialsStatesAndErrors()
    {
        await using var host = await BrowserGatewayHost.StartAsync();
        await SeedAsync(host);
        // A source that forgot to mask: the page must still not show the secret.
        host.Credentials.Credentials = [.. host.Credentials.Credentials, new("rawsecretkey123456", "api_key", CredentialStates.Ok, null, null, 0, 0, 0)];
        var (context, page) = await OpenAsync(host);

        await LogInAsync(page);

        var rows = page.Locator("#pool-table tbody tr");
        Assert.Equal(4, await rows.CountAsync());
        var ids = await page.Locator("#pool-table .credential-id").AllInnerTextsAsync();
        Assert.Equal(["sk-a…1111", "ab***@example.com", "sk-z…9999", "raws…3456"], ids);
        Assert.Equal("OK", await rows.Nth(0).Locator(".badge").InnerTextAsync());
        Assert.Equal("Cooling down", await rows.Nth(1).Locator(".badge").InnerTextAsync());
        Assert.Matches(@"until \d\d:\d\d:\d\d", await rows.Nth(1).Locator(".until").InnerTextAsync());
        Assert.Contains("rate limited (429)", await rows.Nth(1).InnerTextAsync());
        Assert.Equal("Invalid", await rows.Nth(2).Locator(".badge").InnerTextAsync());
        Assert.Contains("unauthenticated (401)", await rows.Nth(2).InnerTextAsync());
        Assert.Equal("Account", await rows.Nth(1).Locator("td").Nth(1).InnerTextAsync());
        Assert.DoesNotContain("rawsecretkey123456", await page.ContentAsync());
        Assert.Contains("OK 2", await page.InnerTextAsync("#pool-summary"));
        await context.DisposeAsync();
    }

    [Fact]
    public async Task RequestsTable_FiltersAndPaging_FollowTheApi()
    {
        await using var host = await BrowserGatewayHost.StartAsync();
        var now = DateTimeOffset.UtcNow;
        await host.SeedAsync(Enumerable.Range(0, 23).Select(i => SampleUsage.Record(now.AddMinutes(-i), model: "gpt-4o"))
            .Append(SampleUsage.Record(now.AddMinutes(-30), model: "o3", key: "ops", outcome: UsageOutcome.UpstreamFault, error: "upstream 502"))
            .Append(SampleUsage.Record(now.AddMinutes(-31), model: "o3", key: "ops", outcome: UsageOutcome.RateLimited, error: "upstream 429"))
            .ToArray());
        var (context, page) = await OpenAsync(host);
        await LogInAsync(page);
        var rows = page.Locator("#requests-table tbody tr");

        Assert.Equal(20, await rows.CountAsync());
        Assert.Equal("Page 1 of 2 · 25 requests", await page.InnerTextAsync("#page-info"));
        await page.ClickAsync("#page-next");
        await page.WaitForFunctionAsync("() => document.querySelector('#page-info').textContent.startsWith('Page 2')");
        Assert.Equal(5, await rows.CountAsync());
        Assert.True(await page.Locator("#page-next").IsDisabledAsync());

        await page.SelectOptionAsync("#filter-outcome", "rate_limited");
        await page.WaitForFunctionAsync("() => document.querySelector('#page-info').textContent.includes('· 1 requests')");
        Assert.Equal(1, await rows.CountAsync());
        Assert.Contains("Rate limited", await rows.First.InnerTextAsync());
        Assert.Contains("upstream 429", await rows.First.InnerTextAsync());

        await page.SelectOptionAsync("#filter-outcome", "");
        await page.SelectOptionAsync("#filter-model", "o3");
        await page.WaitForFunctionAsync("() => document.querySelector('#page-info').textContent.includes('· 2 requests')");
        Assert.Equal(2, await rows.CountAsync());
        await context.DisposeAsync();
    }

    [Fact]
    public async Task SaveStatsButton_Click_FlushesWithCsrfAndConfirms()
    {
        await using var host = await BrowserGatewayHost.StartAsync();
        var (context, page) = await OpenAsync(host);
        await LogInAsync(page);

        await page.ClickAsync("#save-stats");
        await host.Flusher.FirstFlush.WaitAsync(TimeSpan.FromSeconds(15));

        await page.WaitForSelectorAsync("#toast.ok");
        Assert.Equal("Usage saved.", await page.InnerTextAsync("#toast"));
        Assert.Equal(1, host.Flusher.Flushes);
        await context.DisposeAsync();
    }

    [Fact]
    public async Task AutoRefresh_AfterTenSeconds_ShowsNewRecordsWithoutReload()
    {
        await using var host = await BrowserGatewayHost.StartAsync();
        await SeedAsync(host);
        var (context, page) = await OpenAsync(host);
        await page.Clock.InstallAsync();
        await LogInAsync(page);
        Assert.Equal("4", await CardAsync(page, "requests"));
        await page.EvaluateAsync("() => { window.__sameDocument = true; }");

        await host.SeedAsync(SampleUsage.Record(DateTimeOffset.UtcNow, model: "gpt-4o"));
        await page.Clock.RunForAsync(11_000);

        await page.WaitForFunctionAsync("() => document.querySelector(\"[data-card='requests'] .card-value\").textContent === '5'");
        Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"));
        await context.DisposeAsync();
    }

    [Fact]
    public async Task Dashboard_PhoneWidth_HasNoHorizontalScroll()
    {
        await using var host = await BrowserGatewayHost.StartAsync();
        await SeedAsync(host);
        var (context, page) = await OpenAsync(host);
        await page.SetViewportSizeAsync(390, 844);

        await LogInAsync(page);

        // Wide tables scroll inside their panel; the page itself must not.
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"));
        Assert.True(await page.Locator("[data-card='requests']").IsVisibleAsync());
        await ScreenshotAsync(page, "dashboard-phone-en.png");
        await context.DisposeAsync();
    }

    [Fact]
    public async Task Logout_Click_ReturnsToLogin()
    {
        await using var host = await BrowserGatewayHost.StartAsync();
        var (context, page) = await OpenAsync(host);
        await LogInAsync(page);

        await page.ClickAsync("form[action='/logout'] button");
        await page.WaitForSelectorAsync("#token");

        Assert.Equal(0, await page.Locator(".card").CountAsync());
        Assert.Equal(401, await page.EvaluateAsync<int>("() => fetch('/api/stats').then(r => r.status)"));
        await context.DisposeAsync();
    }
}
