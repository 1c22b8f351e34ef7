namespace OnDemandGateway.Auth;

/// <summary>Where the authenticated key is kept for the rest of the request.</summary>
public static class ClientKeyFeature
{
    private static readonly object Slot = new();

    public static void Set(HttpContext context, ClientKey key) => context.Items[Slot] = key;

    public static ClientKey? Get(HttpContext context) => context.Items.TryGetValue(Slot, out var value) ? value as ClientKey : null;
}
