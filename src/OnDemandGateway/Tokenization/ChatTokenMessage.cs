namespace OnDemandGateway.Tokenization;

/// <summary>The parts of a chat message that count towards prompt tokens.</summary>
internal readonly record struct ChatTokenMessage(string Role, string Content, string? Name = null);
