using OnDemandGateway.Configuration;

namespace OnDemandGateway.Tests.Configuration;

/// <summary>What an operator reads when a value is wrong: one line naming the file or variable, the key and the problem.</summary>
public sealed class ConfigValidationTests
{
    [Theory]
    [InlineData("""{"request_timeout": -5}""", "request_timeout", """config.json: "request_timeout" must be a number of seconds above 0, at most 86400 (one day) (got -5)""")]
    [InlineData("""{"stream_timeout": 0}""", "stream_timeout", """config.json: "stream_timeout" must be a number of seconds above 0, at most 86400 (one day) (got 0)""")]
    [InlineData("""{"request_timeout": "30"}""", "request_timeout", """config.json: "request_timeout" must be a number, not a string ("30")""")]
    [InlineData("""{"max_retries": -1}""", "max_retries", """config.json: "max_retries" must be a whole number from 0 to 100 (got -1)""")]
    [InlineData("""{"max_retries": 1.5}""", "max_retries", """config.json: "max_retries" must be a whole number from 0 to 100 (got 1.5)""")]
    [InlineData("""{"port": 70000}""", "port", """config.json: "port" must be a port number from 1 to 65535 (got 70000)""")]
    [InlineData("""{"debug_mode": "true"}""", "debug_mode", """config.json: "debug_mode" must be true or false (got "true")""")]
    [InlineData("""{"ondemand_api_base": "ftp://files.example"}""", "ondemand_api_base", """config.json: "ondemand_api_base" must be an absolute http:// or https:// URL (got "ftp://files.example")""")]
    [InlineData("""{"unknown_model": "guess"}""", "unknown_model", """config.json: "unknown_model" must be "default" or "reject" (got "guess")""")]
    [InlineData("""{"tools": "allow"}""", "tools", """config.json: "tools" must be "reject" or "ignore" (got "allow")""")]
    [InlineData("""{"log_level": "LOUD"}""", "log_level", """config.json: "log_level" must be DEBUG, INFO, WARNING, ERROR or CRITICAL (or a .NET level name) (got "LOUD")""")]
    [InlineData("""{"accounts": {"email": "a@b.c"}}""", "accounts", """config.json: "accounts" must be a list of accounts (got an object)""")]
    [InlineData("""{"accounts": [{"api_key": "k-1"}, {"email": "a@b.c"}]}""", "accounts", "config.json: \"accounts\"[1] must be an object with \"email\" and \"password\", or \"api_key\"")]
    [InlineData("""{"model_prices": {"gpt-4o": {"input": 1}}}""", "model_prices", """config.json: "model_prices"["gpt-4o"] must be a price: a number, or {"input": x, "output": y}""")]
    [InlineData("""{"default_model_price": -1}""", "default_model_price", """config.json: "default_model_price" must be a price from 0 to 1000000 USD per 1M tokens (got -1)""")]
    [InlineData("""{"model_mapping": {"fast": 3}}""", "model_mapping", """config.json: "model_mapping"["fast"] must be an endpointId string (got 3)""")]
    [InlineData("""{"usage_queue_capacity": 0}""", "usage_queue_capacity", """config.json: "usage_queue_capacity" must be a whole number, 1 or more (got 0)""")]
    public void Load_BadFileValue_ThrowsMessageNamingKey(string json, string key, string message)
    {
        using var scenario = new ConfigScenario().WithFile(json);

        var error = scenario.LoadFails();

        Assert.Equal(key, error.Key);
        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("STREAM_TIMEOUT", "abc", """STREAM_TIMEOUT: must be a number of seconds above 0, at most 86400 (one day) (got "abc")""")]
    [InlineData("RETRY_DELAY", "-0.5", """RETRY_DELAY: must be a number of seconds from 0 to 86400 (one day) (got "-0.5")""")]
    [InlineData("PORT", "0", """PORT: must be a port number from 1 to 65535 (got "0")""")]
    [InlineData("MAX_RETRIES", "-2", """MAX_RETRIES: must be a whole number from 0 to 100 (got "-2")""")]
    [InlineData("DEBUG_MODE", "maybe", """DEBUG_MODE: must be true/false, 1/0 or yes/no (got "maybe")""")]
    [InlineData("ONDEMAND_AUTH_BASE", "not a url", """ONDEMAND_AUTH_BASE: must be an absolute http:// or https:// URL (got "not a url")""")]
    [InlineData("MODEL_MAPPING", "[1]", "MODEL_MAPPING: must be an object of model name → endpointId (got an array)")]
    [InlineData("MODEL_PRICES", "{\"gpt-4o\": }", "MODEL_PRICES: invalid JSON at line 1, position 12")]
    [InlineData("LOG_MAX_MB", "-1", """LOG_MAX_MB: must be a number, 0 or more (got "-1")""")]
    [InlineData("LOG_BACKUPS", "0", """LOG_BACKUPS: must be a whole number from 1 to 1000 (got "0")""")]
    public void Load_BadEnvironmentValue_ThrowsMessageNamingVariable(string key, string value, string message)
    {
        using var scenario = new ConfigScenario();

        var error = scenario.LoadFails((key, value));

        Assert.Equal(key, error.Key);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Load_EnvironmentOverridesBadFileValue_StillRejectsTheFile()
    {
        // The file is validated as a whole even where the environment wins, so a broken file is never hidden.
        using var scenario = new ConfigScenario().WithFile("""{"port": "8000"}""");

        Assert.Equal("port", scenario.LoadFails(("PORT", "9000")).Key);
    }

    [Fact]
    public void Load_MalformedAccountsVariable_ReportsPositionButNoSecret()
    {
        using var scenario = new ConfigScenario();

        var error = scenario.LoadFails(("ONDEMAND_ACCOUNTS", """{"accounts":[{"email":"a@b.c","password":"hunter2-secret" """));

        Assert.StartsWith("ONDEMAND_ACCOUNTS: invalid JSON at line 1, position ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"accounts": [{"email": "a@b.c", "password": 987654321}]}""", """config.json: "accounts"[0].password must be a string (got a number)""")]
    [InlineData("""{"api_access_token": 987654321}""", """config.json: "api_access_token" must be a token string or a list of tokens (got a number)""")]
    [InlineData("""{"api_access_token": ["sk-987654321", "sk-987654321"]}""", """config.json: "api_access_token"[1] repeats the token of entry [0]""")]
    [InlineData("""{"database_url": 987654321}""", """config.json: "database_url" must be a string (got a number)""")]
    public void Load_BadSecretValue_MessageOmitsTheValue(string json, string message)
    {
        using var scenario = new ConfigScenario().WithFile(json);

        var error = scenario.LoadFails();

        Assert.Equal(message, error.Message);
        Assert.DoesNotContain("987654321", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ExplicitConfigPathMissing_Throws()
    {
        using var scenario = new ConfigScenario();

        var error = scenario.LoadFails(("APP_CONFIG_PATH", "missing.json"));

        Assert.Equal("APP_CONFIG_PATH", error.Key);
        Assert.Equal($"APP_CONFIG_PATH: file not found: {Path.Combine(scenario.Directory, "missing.json")}", error.Message);
    }

    [Theory]
    [InlineData("""{"port": 8000""", "config.json: invalid JSON at line 1, position 14")]
    [InlineData("""[{"port": 8000}]""", "config.json: must hold a JSON object of settings")]
    public void Load_FileNotAnObject_Throws(string json, string message)
    {
        using var scenario = new ConfigScenario().WithFile(json);

        Assert.Equal(message, scenario.LoadFails().Message);
    }
}
