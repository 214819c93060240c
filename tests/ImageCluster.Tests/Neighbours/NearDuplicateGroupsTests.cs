using ImageCluster.Embedding;
using ImageCluster.Neighbours;

namespace ImageCluster.Tests;

/// <summary>Near-duplicate groups from neighbour pairs above a similarity (issue 15), and their pairwise scores.</summary>
public class NearDuplicateGroupsTests
{
    private static AllNeighbours Cosine(FeatureMatrix x, int k)
    {
        using var index = new ExactNeighbourIndex(x, DistanceMetric.Cosine);
        return AllNeighbours.Of(index, x, k);
    }

    [Fact]
    public void Pairs_above_the_threshold_link_transitively_and_a_lone_image_has_no_group()
    {
        // a ≈ b ≈ c in a chain (a and c less alike than the threshold), d alone, e ≈ f.
        var x = new FeatureMatrix(6, 2, [1, 0, 0.97f, 0.24f, 0.88f, 0.47f, -1, 0, 0, 1, 0.05f, 1]);

        var groups = NearDuplicateGroups.Of(Cosine(x, 2), 0.95);

        Assert.Equal([0, 0, 0, -1, 1, 1], groups);
        Assert.True(1 - Cosine(x, 2).Distances[0 * 2 + 1] < 0.95); // a's second neighbour (c) is below it: linked through b
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void A_threshold_outside_0_to_1_is_refused_by_name(double threshold)
    {
        var e = Assert.Throws<ArgumentException>(() => NearDuplicateGroups.Of(Cosine(new FeatureMatrix(2, 1, [1, 2]), 1), threshold));
        Assert.Equal("Threshold", e.ParamName);
    }

    [Fact]
    public void Pairwise_scores_count_pairs_found_together_against_pairs_that_belong_together()
    {
        string[] truth = ["g1", "g1", "g1", "g2", "g2", "g3"];
        int[] found = [0, 0, -1, 1, 1, 1];   // splits g1, merges g3 into g2

        var (precision, recall) = NearDuplicateGroups.PairwiseScores(found, truth);

        Assert.Equal(2.0 / 4, precision, 12); // found pairs: (0,1) (3,4) (3,5) (4,5); right: (0,1) (3,4)
        Assert.Equal(2.0 / 4, recall, 12);    // true pairs: (0,1) (0,2) (1,2) (3,4)
    }

    [SharedFact]
    public async Task On_the_shared_near_duplicate_set_the_default_model_at_0_90_groups_every_pair_right()
    {
        using var temp = new TempFolder();
        string set = SharedData.Dataset("near_duplicates");
        var truthByPath = File.ReadLines(Path.Combine(set, "labels.csv")).Skip(1).Select(l => l.Split(',')).ToDictionary(f => f[0], f => f[1]);
        var features = await ImageFeatures.FromFolderAsync(set, new ImageFeaturesOptions { Store = temp.Combine("store.db") });
        var truth = features.Paths.Select(p => truthByPath[p.Replace('\\', '/')]).ToArray();

        var groups = NearDuplicateGroups.Of(Cosine(features.Matrix, 10), 0.90);
        var (precision, recall) = NearDuplicateGroups.PairwiseScores(groups, truth);

        Assert.Equal(180, groups.Length);
        Assert.True(precision >= 0.95 && recall >= 0.95, $"precision {precision:F3}, recall {recall:F3}");
    }
}
