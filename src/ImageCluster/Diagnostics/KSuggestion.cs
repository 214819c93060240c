using ImageCluster.Clustering;

namespace ImageCluster.Diagnostics;

/// <summary>Options of <see cref="KSuggestion"/>.</summary>
internal sealed record KSuggestionOptions
{
    /// <summary>Smallest k considered (1 by default, so the elbow and the gap can say "no cluster structure").</summary>
    public int KMin { get; init; } = 1;

    /// <summary>Largest k considered.</summary>
    public int KMax { get; init; } = 10;

    /// <summary>K-Means settings for every k (NClusters replaced); null = K-Means' defaults.</summary>
    public KMeansOptions? KMeans { get; init; }

    /// <summary>Samples the silhouette is computed on per k (see <see cref="ElbowOptions.SilhouetteSampleSize"/>).</summary>
    public int? SilhouetteSampleSize { get; init; } = 2000;

    /// <summary>Compute the gap statistic too (the costliest criterion: B extra K-Means fits per k).</summary>
    public bool IncludeGap { get; init; } = true;

    /// <summary>Gap statistic settings; KMin, KMax, KMeans and Seed are taken from these options.</summary>
    public GapOptions Gap { get; init; } = new();

    /// <summary>k-distance settings for the eps suggestion; null = no eps suggestion.</summary>
    public KDistanceOptions? KDistance { get; init; } = new();

    /// <summary>Seed of every random choice (silhouette sample, gap references, k-distance subset).</summary>
    public int Seed { get; init; }

    /// <summary>Checks the options against a data set of <paramref name="nSamples"/> rows.</summary>
    /// <exception cref="ArgumentException">With a message fit to show an end user.</exception>
    public void Validate(int nSamples)
    {
        if (KMax < 2) throw new ArgumentException($"KMax must be at least 2 to suggest a number of clusters (got {KMax}).", nameof(KMax));
        ElbowOptions().Validate(nSamples);
        if (IncludeGap) GapOptions().Validate(nSamples);
        KDistance?.Validate(nSamples);
    }

    internal ElbowOptions ElbowOptions() => new()
    {
        KMin = KMin, KMax = KMax, KMeans = KMeans, SilhouetteSampleSize = SilhouetteSampleSize, Seed = Seed,
    };

    internal GapOptions GapOptions() => Gap with { KMin = KMin, KMax = KMax, KMeans = KMeans, Seed = Seed };
}

/// <summary>A criterion that votes for a number of clusters.</summary>
internal enum KCriterion
{
    /// <summary>The knee of the inertia curve (<see cref="Elbow"/>).</summary>
    ElbowKnee,

    /// <summary>The highest mean silhouette.</summary>
    Silhouette,

    /// <summary>The highest Calinski–Harabasz index.</summary>
    CalinskiHarabasz,

    /// <summary>The lowest Davies–Bouldin index.</summary>
    DaviesBouldin,

    /// <summary>The gap statistic with R's firstSEmax rule (or the rule set in <see cref="GapOptions.Method"/>).</summary>
    Gap,
}

/// <summary>Every criterion's value for one k (null where undefined or not computed).</summary>
/// <param name="K">Number of clusters.</param>
/// <param name="Inertia">K-Means inertia.</param>
/// <param name="Silhouette">Mean silhouette (sampled).</param>
/// <param name="CalinskiHarabasz">Calinski–Harabasz index.</param>
/// <param name="DaviesBouldin">Davies–Bouldin index.</param>
/// <param name="Gap">Gap statistic.</param>
/// <param name="GapSE">The gap's simulation standard error.</param>
internal sealed record KEvidence(int K, double Inertia, double? Silhouette, double? CalinskiHarabasz, double? DaviesBouldin,
    double? Gap, double? GapSE);

/// <summary>The proposal, the votes behind it and the evidence table.</summary>
/// <param name="K">The proposed number of clusters, or null when no criterion could vote.</param>
/// <param name="Votes">The k each criterion voted for (criteria that could not vote are absent).</param>
/// <param name="Agreeing">The criteria whose vote is <paramref name="K"/>.</param>
/// <param name="Evidence">One row per k.</param>
/// <param name="KDistance">The k-distance curve behind the eps suggestion, or null when not requested.</param>
internal sealed record KSuggestionResult(int? K, IReadOnlyDictionary<KCriterion, int> Votes, IReadOnlyList<KCriterion> Agreeing,
    IReadOnlyList<KEvidence> Evidence, KDistanceResult? KDistance)
{
    /// <summary>Suggested DBSCAN eps (the k-distance knee), or null.</summary>
    public double? SuggestedEps => KDistance?.SuggestedEps;
}

/// <summary>
/// Proposes a number of clusters from five criteria computed on the same K-Means partitions: the elbow knee, the best
/// silhouette, the best Calinski–Harabasz, the lowest Davies–Bouldin and the gap statistic. Each criterion casts one vote;
/// the k with most votes wins; a tie between several k goes to the one with the higher silhouette (the criterion that
/// looks at both cohesion and separation of every sample), then to the smaller k. Also proposes DBSCAN's eps from the
/// knee of the k-distance curve. Cost: that of <see cref="Elbow"/> + <see cref="GapStatistic"/> + <see cref="KDistance"/>.
/// </summary>
internal static class KSuggestion
{
    /// <summary>Runs every criterion on <paramref name="x"/> and votes.</summary>
    /// <exception cref="ArgumentException">Invalid options or a NaN/infinite row.</exception>
    public static KSuggestionResult Suggest(FeatureMatrix x, KSuggestionOptions? options = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        options ??= new KSuggestionOptions();
        options.Validate(x.Rows);
        x.ThrowIfNotFinite();
        var elbow = Elbow.Compute(x, options.ElbowOptions(), cancellation);
        var gap = options.IncludeGap
            ? GapStatistic.Compute(x, options.GapOptions(), k => elbow.Points[k - options.KMin].Labels, cancellation)
            : null;
        var points = elbow.Points;
        var votes = new Dictionary<KCriterion, int>();
        if (elbow.KneeK is int knee) votes[KCriterion.ElbowKnee] = knee;
        Vote(votes, KCriterion.Silhouette, points, p => p.Silhouette);
        Vote(votes, KCriterion.CalinskiHarabasz, points, p => p.CalinskiHarabasz);
        Vote(votes, KCriterion.DaviesBouldin, points, p => -p.DaviesBouldin);
        if (gap is not null) votes[KCriterion.Gap] = gap.ChosenK;

        double SilhouetteOf(int k) => points.FirstOrDefault(p => p.K == k)?.Silhouette ?? double.NegativeInfinity;
        int? proposal = votes.Values.GroupBy(k => k)
            .OrderByDescending(g => g.Count()).ThenByDescending(g => SilhouetteOf(g.Key)).ThenBy(g => g.Key)
            .Select(g => (int?)g.Key).FirstOrDefault();
        var agreeing = votes.Where(v => v.Value == proposal).Select(v => v.Key).Order().ToArray();
        var evidence = points.Select((p, i) => new KEvidence(p.K, p.Inertia, p.Silhouette, p.CalinskiHarabasz, p.DaviesBouldin,
            gap?.Gap[i], gap?.SESim[i])).ToArray();
        var kDistance = options.KDistance is { } kd ? Diagnostics.KDistance.Compute(x, kd with { Seed = options.Seed }, cancellation) : null;
        return new KSuggestionResult(proposal, votes, agreeing, evidence, kDistance);
    }

    // The best defined value wins; equal values go to the smaller k.
    private static void Vote(Dictionary<KCriterion, int> votes, KCriterion criterion, IReadOnlyList<ElbowPoint> points,
        Func<ElbowPoint, double?> score)
    {
        ElbowPoint? best = null;
        foreach (var point in points)
            if (score(point) is double value && (best is null || value > score(best)!.Value)) best = point;
        if (best is not null) votes[criterion] = best.K;
    }
}
