namespace OnDemandGateway.FakeUpstream.OpenAi;

/// <summary>The few fields of a chat completion request the OpenAI-shaped mode looks at.</summary>
internal readonly record struct OpenAiRequest(string Model, bool Stream, bool IncludeUsage);
