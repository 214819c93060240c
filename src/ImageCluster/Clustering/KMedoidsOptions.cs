namespace ImageCluster.Clustering;

/// <summary>The local search <see cref="KMedoids"/> runs from its initial medoids.</summary>
public enum KMedoidsMethod
{
    /// <summary>
    /// Kaufman &amp; Rousseeuw's SWAP as in R's <c>cluster::pam</c>: each step makes the single best medoid/non-medoid
    /// exchange of all k·(N − k), until none lowers the total distance. The candidates are scored with FastPAM1's
    /// shared pass (Schubert &amp; Rousseeuw 2019), O(N²) per swap, with PAM's choices.
    /// </summary>
    Pam,

    /// <summary>
    /// FasterPAM (Schubert &amp; Rousseeuw 2021), as R's <c>pam(pamonce = 6)</c>: scans non-medoids cyclically and makes
    /// the first improving exchange at once. Much faster; a different local search, so the result can differ from
    /// <see cref="Pam"/>'s (often equal, sometimes better or worse).
    /// </summary>
    FasterPam,
}

/// <summary>How <see cref="KMedoids"/> chooses its initial medoids.</summary>
public enum KMedoidsInit
{
    /// <summary>PAM's BUILD: greedily add the sample that lowers the total distance most (deterministic).</summary>
    Build,

    /// <summary>k-medoids++: k-means++ sampling on squared distances, best of 2 + ⌊ln k⌋ candidates per step (seeded).</summary>
    KMedoidsPlusPlus,

    /// <summary>The sample indices in <see cref="KMedoidsOptions.InitialMedoids"/>.</summary>
    Given,
}

/// <summary>Settings for <see cref="KMedoids"/>, named after scikit-learn-extra's <c>KMedoids</c> and R's <c>pam</c>.</summary>
public sealed record KMedoidsOptions : ClustererOptions
{
    /// <inheritdoc />
    public override IClusterer CreateClusterer() => new KMedoids(this);

    /// <summary>The largest N whose N×N float matrix .NET can index (46 340² &lt; 2³¹).</summary>
    public const int LargestMaxSamples = 46_340;

    /// <summary>Number of clusters k (at least 1, at most the number of samples).</summary>
    public required int NClusters { get; init; }

    /// <summary>Dissimilarity between samples: Euclidean, or cosine distance 1 − cos.</summary>
    public DistanceMetric Metric { get; init; } = DistanceMetric.Euclidean;

    /// <summary>
    /// Local search. The default is the classic <see cref="KMedoidsMethod.Pam"/> for fidelity to R's <c>pam</c>;
    /// choose <see cref="KMedoidsMethod.FasterPam"/> for speed on thousands of samples.
    /// </summary>
    public KMedoidsMethod Method { get; init; } = KMedoidsMethod.Pam;

    /// <summary>Initial medoids; BUILD by default, as in R's <c>pam</c>.</summary>
    public KMedoidsInit Init { get; init; } = KMedoidsInit.Build;

    /// <summary>Zero-based sample indices of the k initial medoids, required with <see cref="KMedoidsInit.Given"/>.</summary>
    public int[]? InitialMedoids { get; init; }

    /// <summary>
    /// Bound on the local search; 0 keeps the initial medoids. For <see cref="KMedoidsMethod.Pam"/>, the maximum number
    /// of swaps (each one the best of all k·(N − k) exchanges); for <see cref="KMedoidsMethod.FasterPam"/>, the maximum
    /// number of passes over the non-medoids, each of which can make many (cheaper) swaps.
    /// </summary>
    public int MaxIter { get; init; } = 300;

    /// <summary>Seed for <see cref="KMedoidsInit.KMedoidsPlusPlus"/>; the other initialisations are deterministic.</summary>
    public int Seed { get; init; }

    /// <summary>
    /// Refuse more samples than this: PAM keeps all N×N distances (4·N² bytes, 1.6 GB at 20 000). At most
    /// <see cref="LargestMaxSamples"/>.
    /// </summary>
    public int MaxSamples { get; init; } = 20_000;


    /// <summary>Checks the options against a data set of <paramref name="nSamples"/> rows.</summary>
    /// <exception cref="ArgumentException">With a message fit to show an end user.</exception>
    protected override void ValidateCore(int? nSamples)
    {
        if (MaxSamples < 1 || MaxSamples > LargestMaxSamples)
            throw new ArgumentException($"MaxSamples must be between 1 and {LargestMaxSamples} (got {MaxSamples}).", nameof(MaxSamples));
        if (nSamples > MaxSamples)
            throw new ArgumentException(
                $"K-Medoids keeps all pairwise distances in memory: {nSamples} images need {4.0 * nSamples!.Value * nSamples.Value / 1e9:0.##} GB " +
                $"({4L * nSamples.Value * nSamples.Value} bytes), above MaxSamples = {MaxSamples}. Raise MaxSamples if the memory is there, " +
                "or use K-Means or MiniBatch K-Means.", nameof(MaxSamples));
        ValidateClusterCount(NClusters, nSamples);
        if (!Enum.IsDefined(Metric))
            throw new ArgumentException($"Unknown Metric {(int)Metric}; use Euclidean or Cosine.", nameof(Metric));
        if (!Enum.IsDefined(Method))
            throw new ArgumentException($"Unknown Method {(int)Method}; use Pam or FasterPam.", nameof(Method));
        if (!Enum.IsDefined(Init))
            throw new ArgumentException($"Unknown Init {(int)Init}; use Build, KMedoidsPlusPlus or Given.", nameof(Init));
        if (MaxIter < 0)
            throw new ArgumentException($"MaxIter must be at least 0 (got {MaxIter}).", nameof(MaxIter));
        if (Init == KMedoidsInit.Given) ValidateInitialMedoids(nSamples);
        else if (InitialMedoids is not null)
            throw new ArgumentException("InitialMedoids are only used with Init = Given.", nameof(InitialMedoids));
    }

    private void ValidateInitialMedoids(int? nSamples)
    {
        if (InitialMedoids is null || InitialMedoids.Length != NClusters)
            throw new ArgumentException(
                $"Init = Given needs InitialMedoids with exactly k = {NClusters} sample indices (got {InitialMedoids?.Length ?? 0}).",
                nameof(InitialMedoids));
        var seen = new HashSet<int>();
        foreach (int index in InitialMedoids)
        {
            if (index < 0 || index >= nSamples)
                throw new ArgumentException(
                    $"InitialMedoids contains {index}, outside the sample indices 0 to {nSamples - 1}.", nameof(InitialMedoids));
            if (!seen.Add(index))
                throw new ArgumentException($"InitialMedoids contains {index} twice; the medoids must be distinct.", nameof(InitialMedoids));
        }
    }
}
