using System.Collections.Frozen;
using OnDemandGateway.Configuration;

namespace OnDemandGateway.Models;

/// <summary>Model names → on-demand.io endpointIds: the configured table, plus ids starting with
/// <c>predefined-</c>, <c>byoi-</c>, <c>byom-</c> passed through as they are.</summary>
internal sealed class ModelCatalog
{
    private static readonly string[] PassThroughPrefixes = ["predefined-", "byoi-", "byom-"];
    private readonly FrozenDictionary<string, string> _mapping;
    private readonly GatewayOptions _options;

    public ModelCatalog(GatewayOptions options)
    {
        _options = options;
        _mapping = options.ModelMapping.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    public IEnumerable<string> Names => _options.ModelMapping.Keys;

    public IReadOnlyDictionary<string, string> Mapping => _mapping;

    /// <summary>Null when the name is unknown and the policy is to reject it.</summary>
    public ModelResolution? Resolve(string? model)
    {
        if (string.IsNullOrEmpty(model)) return new ModelResolution(_options.DefaultEndpointId, _options.DefaultEndpointId, true);
        if (_mapping.TryGetValue(model, out var endpointId)) return new ModelResolution(model, endpointId, true);
        if (IsEndpointId(model)) return new ModelResolution(model, model, true);
        return _options.UnknownModels == UnknownModelPolicy.UseDefault
            ? new ModelResolution(model, _options.DefaultEndpointId, false)
            : null;
    }

    public static bool IsEndpointId(string model)
    {
        foreach (var prefix in PassThroughPrefixes)
        {
            if (model.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }
}
