namespace ImageCluster.Store;

/// <summary>
/// Where the embedding store lives: one content-addressed SQLite file per user, shared by every run folder, so a new run
/// folder over images already seen embeds nothing.
/// </summary>
internal static class StoreLocation
{
    /// <summary>Environment variable naming another store file.</summary>
    public const string Variable = "IMAGECLUSTER_STORE";

    /// <summary>The default store file, <c>~/.cache/imagecluster/store.db</c> (see <see cref="UserFolders.Cache"/>).</summary>
    public static string Default => Path.Combine(UserFolders.Cache, "store.db");

    /// <summary>The store to use: <paramref name="requested"/>, else <c>$IMAGECLUSTER_STORE</c>, else <see cref="Default"/>; absolute.</summary>
    public static string Resolve(string? requested = null)
    {
        string? env = Environment.GetEnvironmentVariable(Variable);
        return Path.GetFullPath(!string.IsNullOrWhiteSpace(requested) ? requested : !string.IsNullOrWhiteSpace(env) ? env : Default);
    }
}
