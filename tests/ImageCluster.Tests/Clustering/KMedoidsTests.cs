using System.Text.Json;
using ImageCluster.Clustering;
using ImageCluster.Evaluation;

namespace ImageCluster.Tests;

/// <summary>K-Medoids against R's cluster::pam 2.1.4 (fixture made by tools/make_partitioning_fixtures.R).</summary>
public class KMedoidsTests
{
    private static JsonElement Case(int index) => PartitioningFixtures.Cases("pam")[index];

    public static TheoryData<int> CaseIndices() => PartitioningFixtures.Indices("pam");

    /// <summary>
    /// "build" = R's do.swap = FALSE (our MaxIter = 0), "pam" = BUILD + SWAP, "fasterpam" = pamonce = 6; with "given"
    /// medoids R skips BUILD. Same medoids, same partition, and the objective to 1e-6: R sums double distances, we
    /// store float distances but recompute the final sum in double, so agreement is far closer than that bar.
    /// </summary>
    [Theory]
    [MemberData(nameof(CaseIndices))]
    public void Same_medoids_partition_and_objective_as_R(int index)
    {
        var c = Case(index);
        var (x, _) = OracleData.Set(c.GetProperty("set").GetString()!);
        string method = c.GetProperty("method").GetString()!;
        var given = c.GetProperty("given");
        var options = new KMedoidsOptions
        {
            NClusters = c.GetProperty("k").GetInt32(),
            Metric = c.GetProperty("metric").GetString() == "cosine" ? DistanceMetric.Cosine : DistanceMetric.Euclidean,
            Method = method == "fasterpam" ? KMedoidsMethod.FasterPam : KMedoidsMethod.Pam,
            Init = given.ValueKind == JsonValueKind.Null ? KMedoidsInit.Build : KMedoidsInit.Given,
            InitialMedoids = given.ValueKind == JsonValueKind.Null ? null : OracleData.Ints(given),
            MaxIter = method == "build" ? 0 : 300,
        };

        var result = new KMedoids(options).Fit(x);

        Assert.Equal(OracleData.Ints(c.GetProperty("medoids")).Order(), result.MedoidIndices.Order());
        Assert.Equal(1.0, ClusteringMetrics.AdjustedRandIndex(OracleData.Ints(c.GetProperty("labels")), result.Labels), 12);
        double sum = c.GetProperty("objective_sum").GetDouble();
        Assert.True(Math.Abs(result.Inertia - sum) <= 1e-6 * sum, $"objective {result.Inertia} vs R {sum}");
        double mean = c.GetProperty("objective_swap").GetDouble();
        Assert.True(Math.Abs(result.Inertia / x.Rows - mean) <= 1e-6 * mean, $"mean distance {result.Inertia / x.Rows} vs R {mean}");
        for (int j = 0; j < result.NClusters; j++)
            Assert.Equal(x.ReadRow(result.MedoidIndices[j]).ToArray(), result.Centers.ReadRow(j).ToArray());
    }

    public static TheoryData<int> PamFromBuild() => PartitioningFixtures.Indices("pam",
        c => c.GetProperty("method").GetString() == "pam" && c.GetProperty("given").ValueKind == JsonValueKind.Null);

    /// <summary>
    /// FasterPAM is a different local search (first improvement, cyclic) from PAM's best improvement, so it need not
    /// reach the same medoids; from the same BUILD start it must reach at least as good an objective on these sets,
    /// and the same medoids where the clusters are well separated.
    /// </summary>
    [Theory]
    [MemberData(nameof(PamFromBuild))]
    public void FasterPam_from_BUILD_is_at_least_as_good_as_Rs_PAM(int index)
    {
        var c = Case(index);
        string set = c.GetProperty("set").GetString()!;
        var (x, _) = OracleData.Set(set);
        var metric = c.GetProperty("metric").GetString() == "cosine" ? DistanceMetric.Cosine : DistanceMetric.Euclidean;
        var result = new KMedoids(new KMedoidsOptions
        {
            NClusters = c.GetProperty("k").GetInt32(), Metric = metric, Method = KMedoidsMethod.FasterPam,
        }).Fit(x);

        double pam = c.GetProperty("objective_sum").GetDouble();
        Assert.True(result.Inertia <= pam * (1 + 1e-6), $"FasterPAM {result.Inertia} vs R's PAM {pam}");
        if (set is "blobs" or "blobs_8d" && metric == DistanceMetric.Euclidean)
            Assert.Equal(OracleData.Ints(c.GetProperty("medoids")).Order(), result.MedoidIndices.Order());
    }

    [Theory]
    [InlineData(KMedoidsMethod.Pam)]
    [InlineData(KMedoidsMethod.FasterPam)]
    public void Results_do_not_depend_on_the_thread_count(KMedoidsMethod method)
    {
        // Above FasterPAM's threshold for scoring candidates side by side.
        var x = TestData.Blobs(2100, 6, 9, seed: 4, out _, noise: 3.0);
        var options = new KMedoidsOptions { NClusters = 9, Method = method, Init = KMedoidsInit.KMedoidsPlusPlus, Seed = 3 };
        var one = new KMedoids(options with { MaxDegreeOfParallelism = 1 }).Fit(x);
        var many = new KMedoids(options with { MaxDegreeOfParallelism = 3 }).Fit(x);
        Assert.Equal(one.MedoidIndices, many.MedoidIndices);
        Assert.Equal(one.Labels, many.Labels);
        Assert.Equal(one.Inertia, many.Inertia);
        Assert.True(one.NIterations > 0);
    }

    [Fact]
    public void KMedoidsPlusPlus_is_seeded_and_then_refined()
    {
        var (x, truth) = OracleData.Set("blobs");
        var options = new KMedoidsOptions { NClusters = 4, Init = KMedoidsInit.KMedoidsPlusPlus, Seed = 7 };
        var a = new KMedoids(options).Fit(x);
        var b = new KMedoids(options).Fit(x);
        Assert.Equal(a.MedoidIndices, b.MedoidIndices);
        Assert.True(ClusteringMetrics.AdjustedRandIndex(truth, a.Labels) > 0.95);
        var start = new KMedoids(options with { MaxIter = 0 }).Fit(x);
        Assert.True(a.Inertia <= start.Inertia);
        Assert.Equal(0, start.NIterations);
        var fasterStart = new KMedoids(options with { MaxIter = 0, Method = KMedoidsMethod.FasterPam }).Fit(x);
        Assert.Equal(start.MedoidIndices, fasterStart.MedoidIndices);
        var faster = new KMedoids(options with { Method = KMedoidsMethod.FasterPam }).Fit(x);
        var onePass = new KMedoids(options with { Method = KMedoidsMethod.FasterPam, MaxIter = 1 }).Fit(x);
        Assert.InRange(onePass.NIterations, 1, faster.NIterations);
        Assert.True(faster.Inertia <= onePass.Inertia && onePass.Inertia < start.Inertia);
    }

    [Theory]
    [InlineData(KMedoidsMethod.Pam)]
    [InlineData(KMedoidsMethod.FasterPam)]
    public void Edge_cases_k_equals_n_identical_rows_and_a_single_sample(KMedoidsMethod method)
    {
        var tiny = TestData.Random(7, 3, seed: 5);
        var all = new KMedoids(new KMedoidsOptions { NClusters = 7, Method = method }).Fit(tiny);
        Assert.Equal(Enumerable.Range(0, 7), all.MedoidIndices.Order());
        Assert.Equal(0.0, all.Inertia);

        // Five copies of two points, k = 3: one medoid must sit on a duplicate, at no cost.
        var copies = FeatureMatrix.FromRows(Enumerable.Range(0, 10).Select(i => new[] { i % 2 * 10f, 1f }).ToArray());
        var duplicate = new KMedoids(new KMedoidsOptions { NClusters = 3, Method = method }).Fit(copies);
        Assert.Equal(0.0, duplicate.Inertia);
        Assert.Equal(3, duplicate.MedoidIndices.Distinct().Count());

        var single = new KMedoids(new KMedoidsOptions { NClusters = 1, Method = method }).Fit(FeatureMatrix.FromRows([[3f, 4f]]));
        Assert.Equal([0], single.MedoidIndices);
        Assert.Equal([0], single.Labels);
        Assert.Equal(0.0, single.Inertia);

        var cosine = new KMedoids(new KMedoidsOptions { NClusters = 2, Metric = DistanceMetric.Cosine, Method = method })
            .Fit(FeatureMatrix.FromRows([[1f, 0f], [2f, 0.1f], [0f, 0f], [0f, 3f], [0.1f, 5f]]));
        Assert.Equal(cosine.Labels[0], cosine.Labels[1]);
        Assert.Equal(cosine.Labels[3], cosine.Labels[4]);
        Assert.NotEqual(cosine.Labels[0], cosine.Labels[3]);
    }

    [Fact]
    public void Bad_options_a_NaN_row_and_too_many_samples_are_refused_with_a_clear_message()
    {
        var x = TestData.Random(30, 3, seed: 6);
        string Message(KMedoidsOptions o) => Assert.Throws<ArgumentException>(() => new KMedoids(o).Fit(x)).Message;
        Assert.Contains("NClusters", Message(new() { NClusters = 31 }));
        Assert.Contains("NClusters", Message(new() { NClusters = 0 }));
        Assert.Contains("MaxIter", Message(new() { NClusters = 2, MaxIter = -1 }));
        Assert.Contains("Metric", Message(new() { NClusters = 2, Metric = (DistanceMetric)9 }));
        Assert.Contains("Method", Message(new() { NClusters = 2, Method = (KMedoidsMethod)9 }));
        Assert.Contains("exactly k = 2", Message(new() { NClusters = 2, Init = KMedoidsInit.Given }));
        Assert.Contains("outside the sample indices 0 to 29", Message(new() { NClusters = 2, Init = KMedoidsInit.Given, InitialMedoids = [3, 30] }));
        Assert.Contains("twice", Message(new() { NClusters = 2, Init = KMedoidsInit.Given, InitialMedoids = [3, 3] }));
        Assert.Contains("only used with Init = Given", Message(new() { NClusters = 2, InitialMedoids = [1, 2] }));
        Assert.Contains("MaxSamples", Message(new() { NClusters = 2, MaxSamples = 50_000 }));

        var refusal = Message(new() { NClusters = 2, MaxSamples = 29 });
        Assert.Contains("30 images need", refusal);
        Assert.Contains("3600 bytes", refusal);
        Assert.Contains("MaxSamples = 29", refusal);
        var big = new KMedoidsOptions { NClusters = 5 };
        Assert.Contains("2.5 GB", Assert.Throws<ArgumentException>(() => big.Validate(25_000)).Message);

        x.Row(12)[0] = float.PositiveInfinity;
        Assert.Contains("Feature vector 12", Message(new() { NClusters = 2 }));
    }
}
