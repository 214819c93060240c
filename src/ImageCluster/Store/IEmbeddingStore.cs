namespace ImageCluster.Store;

/// <summary>
/// The content-addressed cache every job reads and fills: what is known of each file (so an unchanged file is never read
/// again) and the embedding of each content per model and output. An SQLite file (<see cref="ImageStore"/>, the embedded
/// default) or a PostgreSQL server (<see cref="PostgresStore"/>, for many writers at once). Not thread-safe.
/// </summary>
internal interface IEmbeddingStore : IDisposable
{
    /// <summary>Where it is, as it may be shown (a server's password left out).</summary>
    string Location { get; }

    /// <summary>Every file record remembered under <paramref name="root"/>, by relative path.</summary>
    Dictionary<string, FileRecord> GetFiles(string root);

    /// <summary>Inserts or replaces file records.</summary>
    void PutFiles(IEnumerable<FileRecord> records);

    /// <summary>Content hashes that have an embedding for <paramref name="model"/> / <paramref name="output"/>.</summary>
    HashSet<string> GetEmbeddedHashes(string model, string output);

    /// <summary>The stored vectors of the given hashes (those that have one).</summary>
    Dictionary<string, float[]> GetEmbeddings(IEnumerable<string> hashes, string model, string output);

    /// <summary>Stores vectors, replacing any of the same content, model and output.</summary>
    void PutEmbeddings(IEnumerable<(string Sha256, float[] Vector)> items, string model, string output);

    /// <summary>Counts of the files and embeddings it holds.</summary>
    StoreInfo Describe();
}

/// <summary>Opens the store a location names: a PostgreSQL URL or connection string, else an SQLite file.</summary>
internal static class EmbeddingStores
{
    /// <summary>Opens (creating if needed) the store at <paramref name="location"/> (as <see cref="StoreLocation.Resolve"/> gives it).</summary>
    /// <exception cref="ImageClusterException">It cannot be opened: one line naming it and why.</exception>
    public static IEmbeddingStore Open(string location) =>
        StoreLocation.IsServer(location) ? PostgresStore.Open(location) : ImageStore.OpenShared(location);
}
