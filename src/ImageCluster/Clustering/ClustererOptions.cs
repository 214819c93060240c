using System.Reflection;
using System.Text.Json.Serialization;

namespace ImageCluster.Clustering;

/// <summary>
/// The options of one clustering algorithm, with scikit-learn's parameter names (in PascalCase) and defaults. Each
/// derived record belongs to one algorithm (<see cref="KMeansOptions"/> to <see cref="KMeans"/>, …) and builds it with
/// <see cref="CreateClusterer"/>. In JSON (run.json) the record names its algorithm first, <c>"estimator": "kmeans"</c>,
/// so a run's options read back as the same typed record.
/// </summary>
/// <remarks>
/// Options validate themselves, once: <see cref="Validate()"/> checks what needs no data (ranges, combinations) and
/// <see cref="Validate(int)"/> adds what depends on the number of samples; <c>Fit</c> calls the latter. A failure is an
/// <see cref="ArgumentException"/> whose <see cref="ArgumentException.ParamName"/> is the property's name, so a caller
/// (the CLI) can name its own flag for it.
/// </remarks>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "estimator")]
[JsonDerivedType(typeof(KMeansOptions), "kmeans")]
[JsonDerivedType(typeof(MiniBatchKMeansOptions), "minibatch-kmeans")]
[JsonDerivedType(typeof(KMedoidsOptions), "kmedoids")]
[JsonDerivedType(typeof(DbscanOptions), "dbscan")]
[JsonDerivedType(typeof(OpticsOptions), "optics")]
[JsonDerivedType(typeof(BirchOptions), "birch")]
[JsonDerivedType(typeof(AgglomerativeOptions), "agglomerative")]
[JsonDerivedType(typeof(HdbscanOptions), "hdbscan")]
[JsonDerivedType(typeof(LeidenOptions), "leiden")]
[JsonDerivedType(typeof(SpectralOptions), "spectral")]
public abstract record ClustererOptions
{
    private static readonly Dictionary<Type, string> Names = typeof(ClustererOptions).GetCustomAttributes<JsonDerivedTypeAttribute>()
        .ToDictionary(a => a.DerivedType, a => (string)a.TypeDiscriminator!);

    /// <summary>Every algorithm's name (run.json's <c>"estimator"</c>) and options type.</summary>
    public static IReadOnlyDictionary<string, Type> Algorithms { get; } = Names.ToDictionary(n => n.Value, n => n.Key);

    /// <summary>The algorithm's name: <c>kmeans</c>, <c>minibatch-kmeans</c>, <c>kmedoids</c>, <c>dbscan</c>, <c>optics</c>,
    /// <c>birch</c>, <c>agglomerative</c>, <c>hdbscan</c>, <c>leiden</c> or <c>spectral</c>.</summary>
    [JsonIgnore]
    public string AlgorithmName => Names[GetType()];

    /// <summary>
    /// Upper bound on worker threads (as <see cref="ParallelOptions.MaxDegreeOfParallelism"/>; −1 = no limit).
    /// Results do not depend on it.
    /// </summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    /// <summary>The algorithm with these options.</summary>
    public abstract IClusterer CreateClusterer();

    /// <summary>Checks everything that does not depend on the data: ranges and combinations of options.</summary>
    /// <exception cref="ArgumentException">Naming the property (<see cref="ArgumentException.ParamName"/>).</exception>
    public void Validate() => ValidateAll(null);

    /// <summary>Checks the options against a data set of <paramref name="nSamples"/> rows (what <c>Fit</c> does first).</summary>
    /// <exception cref="ArgumentException">Naming the property (<see cref="ArgumentException.ParamName"/>), or
    /// <paramref name="nSamples"/> when there is nothing to cluster.</exception>
    public void Validate(int nSamples)
    {
        if (nSamples <= 0) throw new ArgumentException("There are no images to cluster.", nameof(nSamples));
        ValidateAll(nSamples);
    }

    private void ValidateAll(int? nSamples)
    {
        if (MaxDegreeOfParallelism == 0 || MaxDegreeOfParallelism < -1)
            throw new ArgumentException(
                $"MaxDegreeOfParallelism must be −1 (no limit) or at least 1 (got {MaxDegreeOfParallelism}).", nameof(MaxDegreeOfParallelism));
        ValidateCore(nSamples);
    }

    /// <summary>The algorithm's own checks; those that need the number of samples run only when <paramref name="nSamples"/> is given.</summary>
    protected abstract void ValidateCore(int? nSamples);

    /// <summary>A number of clusters, where one is set, must be between 1 and the number of samples (ParamName <c>NClusters</c>).</summary>
    private protected static void ValidateClusterCount(int? nClusters, int? nSamples)
    {
        if (nClusters < 1)
            throw new ArgumentException($"NClusters must be at least 1 (got {nClusters}).", "NClusters");
        if (nClusters > nSamples)
            throw new ArgumentException(
                $"k = {nClusters} is larger than the number of images ({nSamples}); choose k between 1 and {nSamples}.", "NClusters");
    }
}
