using OnDemandGateway.Auth;
using OnDemandGateway.Models;
using OnDemandGateway.OpenAi;
using OnDemandGateway.Upstream;

namespace OnDemandGateway.Relay;

/// <summary>A validated, authenticated, admitted chat request, ready to relay.</summary>
internal sealed record RelayRequest(ClientKey Key, ChatRequest Chat, ModelResolution Model, UpstreamQuery Query, long StartedAt);
