namespace OnDemandGateway.OpenAi;

/// <summary>One message after validation: the role normalised to lower case, text parts joined.</summary>
internal sealed record ChatMessage(string Role, string Content, string? Name = null);
