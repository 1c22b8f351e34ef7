namespace OnDemandGateway.Configuration;

/// <summary>Reads <c>cors_origins</c>: <c>*</c> (any origin), <c>none</c> or empty (CORS off), or the origins
/// (<c>scheme://host[:port]</c>) whose pages may call <c>/v1</c>.</summary>
internal static class CorsOriginParser
{
    private const string Requirement = "\"*\", \"none\" or origins, comma-separated (such as https://chat.example.com, http://localhost:3000)";

    public static IReadOnlyList<string> Parse(ConfigValue value)
    {
        var entries = value.List(Requirement);
        if (entries.Contains("*") && entries.Count > 1) throw value.Error($"must be {Requirement}; \"*\" already allows every origin");
        return entries.Select(entry => entry == "*" ? entry : Origin(entry) ?? throw value.Error($"must be {Requirement} (got \"{entry}\")")).ToList();
    }

    /// <summary>What a browser sends in <c>Origin</c>: a scheme and a host, no path (a trailing <c>/</c> is forgiven).
    /// Any scheme, for browser extensions and desktop shells (<c>chrome-extension://id</c>, <c>tauri://localhost</c>).</summary>
    private static string? Origin(string text)
    {
        var origin = text.EndsWith('/') ? text[..^1] : text;
        return !origin.Contains('*') && Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.Host.Length > 0
            && uri.UserInfo.Length == 0 && uri.AbsolutePath == "/" && uri.Query.Length == 0 && uri.Fragment.Length == 0
            && !origin.EndsWith('/')
            ? origin
            : null;
    }
}
