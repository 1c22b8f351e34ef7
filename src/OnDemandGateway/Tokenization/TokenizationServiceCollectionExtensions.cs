namespace OnDemandGateway.Tokenization;

internal static class TokenizationServiceCollectionExtensions
{
    /// <summary>Warms the tokenizers up in the background at start-up. The counting API itself is static
    /// (<see cref="TokenizerCatalog"/>, <see cref="ChatTokenCounter"/>) and needs no registration.</summary>
    public static IServiceCollection AddTokenization(this IServiceCollection services)
    {
        services.AddHostedService<TokenizerWarmup>();
        return services;
    }
}
