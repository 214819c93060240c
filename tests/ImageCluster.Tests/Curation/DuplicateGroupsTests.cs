using ImageCluster.Curation;
using ImageCluster.Neighbours;

namespace ImageCluster.Tests;

/// <summary>Duplicate groups: stars around a centre, exact copies by hash, the keep rules (issue 15).</summary>
public class DuplicateGroupsTests
{
    private static AllNeighbours Cosine(FeatureMatrix x, int k)
    {
        using var index = new ExactNeighbourIndex(x, DistanceMetric.Cosine);
        return AllNeighbours.Of(index, x, k);
    }

    private static FeatureMatrix Angles(params double[] degrees) =>
        FeatureMatrix.FromRows(degrees.Select(d => new[] { (float)Math.Cos(d * Math.PI / 180), (float)Math.Sin(d * Math.PI / 180) }).ToList());

    private static KeepFacts Facts(int n) => new(Enumerable.Range(0, n).Select(i => $"img{i:D2}.jpg").ToList());

    [Fact]
    public void A_chain_of_similar_images_is_split_so_that_every_member_is_near_its_centre()
    {
        // Steps of 10° (cos 10° = 0.985 ≥ 0.95) along 0°…40°: one component, but 0° and 40° are far apart (cos 40° = 0.77).
        var x = Angles(0, 10, 20, 30, 40);
        var groups = DuplicateGroups.Find(x, Cosine(x, 4), 0.95, null, KeepRule.First, Facts(5));

        Assert.Equal([0, 0, 0, 0, 0], NearDuplicateGroups.Of(Cosine(x, 4), 0.95)); // the components would chain them all
        // A star around 10° takes 0° and 20°; 30° and 40° make the second one. 0° and 40° are never together.
        Assert.Equal([0, 0, 0, 1, 1], groups.Group);
        Assert.Equal([0, 3], groups.Kept);
        Assert.All(groups.Similarity, s => Assert.True(s >= Math.Cos(20 * Math.PI / 180) - 1e-6)); // within two steps of the kept one
    }

    [Fact]
    public void Identical_files_are_grouped_by_hash_even_at_threshold_1_and_marked_exact()
    {
        var x = Angles(0, 0.0001, 90, 180);
        string[] hashes = ["a", "a", "b", "c"];
        var groups = DuplicateGroups.Find(x, Cosine(x, 1), 1.0, hashes, KeepRule.First, Facts(4));

        Assert.Equal([0, 0, -1, -1], groups.Group);
        Assert.Equal([0], groups.Kept);
        Assert.Equal([true, true], groups.Exact[..2]);
        Assert.Equal(1f, groups.Similarity[1]);
    }

    [Fact]
    public void The_keep_rules_choose_the_largest_the_sharpest_the_oldest_or_the_first_path()
    {
        var x = Angles(0, 1, 2);
        ImageQuality Q(int side, float sharpness) => new(side, side, 0, 1, sharpness, 7, 0.2f);
        var facts = new KeepFacts(["c.jpg", "a.jpg", "b.jpg"], [Q(100, 0.5f), Q(400, 0.1f), Q(200, 0.9f)], [10, 20, 30],
            [new DateTime(2020, 1, 1), new DateTime(2019, 1, 1), new DateTime(2021, 1, 1)]);
        int Kept(KeepRule rule) => DuplicateGroups.Find(x, Cosine(x, 2), 0.99, null, rule, facts).Kept.Single();

        Assert.Equal(1, Kept(KeepRule.Largest));
        Assert.Equal(2, Kept(KeepRule.Sharpest));
        Assert.Equal(1, Kept(KeepRule.Oldest));
        Assert.Equal(1, Kept(KeepRule.First)); // a.jpg
        var e = Assert.Throws<ArgumentException>(() => DuplicateGroups.Find(x, Cosine(x, 2), 0.99, null, KeepRule.Largest, Facts(3)));
        Assert.Equal("Keep", e.ParamName);
    }

    [Fact]
    public void A_close_pair_whose_perceptual_hashes_differ_is_not_a_duplicate()
    {
        var x = Angles(0, 1, 2);
        ImageQuality Q(ulong hash) => new(100, 100, 0, 1, 0.1f, 7, 0.2f, hash, hash);
        var facts = new KeepFacts(["a.jpg", "b.jpg", "c.jpg"], [Q(0x00000000FFFFFFFF), Q(0x00000001FFFFFFFE), Q(0xFFFFFFFF00000000)]);

        var confirmed = DuplicateGroups.Find(x, Cosine(x, 2), 0.99, null, KeepRule.First, facts, maxHashDistance: 18);
        var embeddingAlone = DuplicateGroups.Find(x, Cosine(x, 2), 0.99, null, KeepRule.First, facts, maxHashDistance: null);

        Assert.Equal([0, 0, -1], confirmed.Group); // c's hash differs in all 64 bits
        Assert.Equal([0, 0, 0], embeddingAlone.Group);
    }

    [Fact]
    public void A_large_component_is_split_from_neighbour_lists_without_comparing_all_pairs()
    {
        // 2 500 copies of nearly one direction: a component above the all-pairs size, still one group with one kept row.
        var rows = Enumerable.Range(0, DuplicateGroups.LargeComponent + 500).Select(i => new[] { 1f, i * 1e-6f }).ToList();
        var x = FeatureMatrix.FromRows(rows);
        using var index = new ExactNeighbourIndex(x, DistanceMetric.Cosine);
        var groups = DuplicateGroups.Find(x, AllNeighbours.Of(index, x, 10), 0.99, null, KeepRule.First, Facts(rows.Count));
        Assert.All(groups.Group, g => Assert.True(g >= 0));
        Assert.All(groups.Similarity, s => Assert.True(s >= 0.99));
    }
}
