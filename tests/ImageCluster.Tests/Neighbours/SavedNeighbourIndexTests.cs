using ImageCluster.Embedding;
using ImageCluster.Neighbours;
using ImageCluster.Pipeline;

namespace ImageCluster.Tests;

/// <summary>The neighbour index kept between runs (issue 15): reused as saved, grown when rows are added, built again when one is gone.</summary>
public class SavedNeighbourIndexTests
{
    // Unit rows of blobs, with rows 5 and 6 exact copies of row 4 (equal vectors share one key of the graph).
    private static FeatureMatrix Rows(int n, int seed)
    {
        var x = TestData.Blobs(n, 24, 12, seed: seed, out _, noise: 1.5);
        for (int copy = 5; copy <= 6; copy++) x.ReadRow(4).CopyTo(x.Data.AsSpan(copy * x.Columns, x.Columns));
        return x.NormalizeRowsInPlace();
    }

    private static FeatureMatrix Take(FeatureMatrix x, IEnumerable<int> rows) => FeatureMatrix.FromRows(rows.Select(i => x.ReadRow(i).ToArray()).ToList());

    private static double Recall(INeighbourIndex index, FeatureMatrix x, int k = 10)
    {
        using var exact = new ExactNeighbourIndex(x, DistanceMetric.Cosine);
        var found = AllNeighbours.Of(index, x, k);
        var truth = AllNeighbours.Of(exact, x, k);
        long hits = 0;
        for (int i = 0; i < x.Rows; i++)
        {
            var t = truth.Rows.AsSpan(i * k, k).ToArray().ToHashSet();
            // Ties at distance 0 (the copies) may come in either order: count a found row at the k-th true distance too.
            float last = truth.Distances[i * k + k - 1];
            hits += Enumerable.Range(0, k).Count(j => t.Contains(found.Rows[i * k + j]) || found.Distances[i * k + j] <= last + 1e-6f);
        }
        return (double)hits / ((long)x.Rows * k);
    }

    [Fact]
    public void A_second_run_reuses_the_saved_graph_and_added_rows_join_it_without_a_rebuild()
    {
        using var temp = new TempFolder();
        string basePath = temp.Combine("idx", "neighbours");
        var all = Rows(3_000, seed: 3);
        var first = Take(all, Enumerable.Range(0, 2_500));

        var (built, outcome) = SavedNeighbourIndex.Open(basePath, first, DistanceMetric.Cosine);
        using (built)
        {
            Assert.Equal(new SavedNeighbourIndex.Outcome(0, 2_498, true), outcome); // 2 500 rows, 2 of them copies of row 4
            Assert.True(Recall(built, first) >= 0.99);
            var near = AllNeighbours.Of(built, first, 3);
            Assert.Equal([5, 6], near.Rows.AsSpan(4 * 3, 2).ToArray().Order());
            Assert.Equal(0, near.Distances[4 * 3], 5);
        }
        var saved = File.GetLastWriteTimeUtc(basePath + ".usearch");

        var (again, outcome2) = SavedNeighbourIndex.Open(basePath, first, DistanceMetric.Cosine);
        using (again)
        {
            Assert.Equal(new SavedNeighbourIndex.Outcome(2_498, 0, false), outcome2);
            Assert.Equal(saved, File.GetLastWriteTimeUtc(basePath + ".usearch")); // nothing changed: nothing written
        }

        // The grown collection, in another order: the old rows keep their keys, the new ones are added.
        var order = Enumerable.Range(0, 3_000).OrderBy(i => (i * 7919) % 3_001).ToList();
        var grown = Take(all, order);
        var (more, outcome3) = SavedNeighbourIndex.Open(basePath, grown, DistanceMetric.Cosine);
        using (more)
        {
            Assert.Equal(new SavedNeighbourIndex.Outcome(2_498, 500, false), outcome3);
            Assert.True(Recall(more, grown) >= 0.99);
        }
    }

    [Fact]
    public void A_row_gone_or_damaged_files_build_the_graph_again_and_say_why()
    {
        using var temp = new TempFolder();
        string basePath = temp.Combine("neighbours");
        var x = Rows(1_000, seed: 4);
        SavedNeighbourIndex.Open(basePath, x, DistanceMetric.Cosine).Index.Dispose();

        var notices = new List<string>();
        var fewer = Take(x, Enumerable.Range(1, 999));
        var (index, outcome) = SavedNeighbourIndex.Open(basePath, fewer, DistanceMetric.Cosine, notice: notices.Add);
        using (index)
        {
            Assert.True(outcome.Built);
            Assert.Contains(notices, n => n.Contains("removed or changed since it was saved"));
            Assert.True(Recall(index, fewer) >= 0.99);
        }

        File.WriteAllBytes(basePath + ".usearch", [1, 2, 3]);
        notices.Clear();
        var (rebuilt, outcome2) = SavedNeighbourIndex.Open(basePath, fewer, DistanceMetric.Cosine, notice: notices.Add);
        using (rebuilt) Assert.True(outcome2.Built);
        Assert.Contains(notices, n => n.Contains("cannot be read") || n.Contains("does not match"));

        var other = TestData.Blobs(100, 16, 4, seed: 1, out _).NormalizeRowsInPlace();
        notices.Clear();
        using (SavedNeighbourIndex.Open(basePath, other, DistanceMetric.Cosine, notice: notices.Add).Index) { }
        Assert.Contains(notices, n => n.Contains("another metric or dimension"));
    }

    [Fact]
    public void A_reader_of_fewer_rows_searches_the_saved_graph_as_it_is_instead_of_building_it_again()
    {
        using var temp = new TempFolder();
        string basePath = temp.Combine("neighbours");
        var all = Rows(3_000, seed: 6);
        SavedNeighbourIndex.Open(basePath, all, DistanceMetric.Cosine).Index.Dispose();
        var saved = File.GetLastWriteTimeUtc(basePath + ".usearch");

        var fewer = Take(all, Enumerable.Range(500, 2_500));
        var notices = new List<string>();
        var (index, outcome) = SavedNeighbourIndex.Open(basePath, fewer, DistanceMetric.Cosine, keepVectorsNotInRows: true, notice: notices.Add);
        using (index)
        {
            Assert.Equal(new SavedNeighbourIndex.Outcome(2_500, 0, false), outcome);
            Assert.Empty(notices);
            Assert.Equal(saved, File.GetLastWriteTimeUtc(basePath + ".usearch"));
            var found = AllNeighbours.Of(index, fewer, 10);
            Assert.All(found.Rows, r => Assert.InRange(r, 0, fewer.Rows - 1)); // never a row of the 500 it does not have
            Assert.True(Recall(index, fewer) >= 0.99);
        }
    }

    [Fact]
    public async Task The_issues_after_duplicates_reuse_the_index_saved_beside_the_store()
    {
        using var temp = new TempFolder();
        string input = TestData.FourPhotos(temp), store = temp.Combine("store", "store.db");
        File.Copy(Path.Combine(input, "photo_cat_01.jpg"), Path.Combine(input, "copy_of_cat.jpg"));
        var options = new CurationJobOptions { Input = input, Output = temp.Combine("run"), Store = store, ExactNeighboursUpTo = 0 };

        var duplicates = await CurationJob.DuplicatesAsync(options);
        var issues = await CurationJob.IssuesAsync(options);

        Assert.Contains("built for 4 vectors and saved", duplicates.Neighbours); // five images, two of them equal
        Assert.Contains("saved index reused (4 vectors)", issues.Neighbours);
        Assert.Single(Directory.GetFiles(temp.Combine("store", "neighbours"), "*.usearch"));
        Assert.Equal(1, duplicates.ExactDuplicates);
    }
}
