namespace ImageCluster.Tests;

/// <summary>Tests that point the user cache (and optionally $IMAGECLUSTER_MODELS) somewhere else: run alone, since both are process-wide.</summary>
[CollectionDefinition(nameof(UserCacheCollection), DisableParallelization = true)]
public sealed class UserCacheCollection;

/// <summary>Points XDG_CACHE_HOME at a fresh temp folder (so <c>ModelResolver.UserCacheFolder</c> is there) and restores it on dispose.</summary>
public sealed class UserCacheScope : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly string? _previousCache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
    private readonly string? _previousModels = Environment.GetEnvironmentVariable(Embedding.ModelResolver.ModelsVariable);

    public UserCacheScope(bool hideSharedModels = false)
    {
        Environment.SetEnvironmentVariable("XDG_CACHE_HOME", _temp.Combine("cache"));
        if (hideSharedModels) Environment.SetEnvironmentVariable(Embedding.ModelResolver.ModelsVariable, null);
    }

    /// <summary>The model cache folder while this scope lives.</summary>
    public string Models => Embedding.ModelResolver.UserCacheFolder;

    public string Combine(params string[] parts) => _temp.Combine(parts);

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("XDG_CACHE_HOME", _previousCache);
        Environment.SetEnvironmentVariable(Embedding.ModelResolver.ModelsVariable, _previousModels);
        _temp.Dispose();
    }
}
