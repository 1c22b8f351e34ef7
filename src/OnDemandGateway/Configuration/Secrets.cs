namespace OnDemandGateway.Configuration;

/// <summary>Masks secrets for logs and the dashboard: enough to tell two apart, never enough to use one.</summary>
public static class Secrets
{
    public static string Mask(string? secret)
    {
        if (string.IsNullOrEmpty(secret)) return "(none)";
        if (secret.Length <= 8) return new string('*', secret.Length);
        return string.Concat(secret.AsSpan(0, 4), "…", secret.AsSpan(secret.Length - 4));
    }

    public static string MaskEmail(string? email)
    {
        if (string.IsNullOrEmpty(email)) return "(none)";
        var at = email.IndexOf('@');
        if (at <= 0) return Mask(email);
        var local = email[..at];
        var shown = local.Length <= 2 ? local[..1] : local[..2];
        return string.Concat(shown, "***", email.AsSpan(at));
    }
}
