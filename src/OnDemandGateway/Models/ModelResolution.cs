namespace OnDemandGateway.Models;

/// <summary>The endpointId a request goes to. <see cref="Known"/> is false when the default endpoint stood in
/// for an unknown name.</summary>
internal readonly record struct ModelResolution(string Model, string EndpointId, bool Known);
