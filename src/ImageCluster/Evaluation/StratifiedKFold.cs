namespace ImageCluster.Evaluation;

/// <summary>A stratified split into folds.</summary>
/// <param name="TestFold">The fold in which each sample is a test sample.</param>
/// <param name="NSplits">Number of folds.</param>
/// <param name="Warning">
/// Set when the smallest class has fewer members than folds (scikit-learn warns likewise): some folds then test
/// without that class.
/// </param>
internal sealed record StratifiedFolds(int[] TestFold, int NSplits, string? Warning)
{
    /// <summary>Test samples of fold <paramref name="fold"/>, ascending.</summary>
    public int[] TestIndices(int fold) => Enumerable.Range(0, TestFold.Length).Where(i => TestFold[i] == fold).ToArray();

    /// <summary>Training samples of fold <paramref name="fold"/> (all others), ascending.</summary>
    public int[] TrainIndices(int fold) => Enumerable.Range(0, TestFold.Length).Where(i => TestFold[i] != fold).ToArray();
}

/// <summary>
/// Stratified k-fold assignment exactly as scikit-learn's <c>StratifiedKFold(n_splits, shuffle=False)</c>
/// (<c>_make_test_folds</c>, 1.2): classes are numbered in order of first appearance; the per-fold count of each class
/// comes from dealing the class-sorted labels round-robin over the folds; then each class's samples, in data order,
/// fill fold 0 first, fold 1 next, and so on. Time O(N · splits), memory O(N).
/// </summary>
internal static class StratifiedKFold
{
    /// <summary>Assigns every sample of <paramref name="y"/> to a test fold.</summary>
    /// <exception cref="ArgumentException">Fewer than 2 splits, more splits than samples, or every class smaller than the number of splits.</exception>
    public static StratifiedFolds Split(IReadOnlyList<int> y, int nSplits = 5)
    {
        ArgumentNullException.ThrowIfNull(y);
        if (nSplits < 2) throw new ArgumentException($"The number of folds must be at least 2 (got {nSplits}).", nameof(nSplits));
        if (nSplits > y.Count)
            throw new ArgumentException($"Cannot have {nSplits} folds with only {y.Count} samples.", nameof(nSplits));
        var encoded = new int[y.Count];
        var classOf = new Dictionary<int, int>();
        for (int i = 0; i < y.Count; i++)
        {
            if (!classOf.TryGetValue(y[i], out int c)) classOf[y[i]] = c = classOf.Count;
            encoded[i] = c;
        }
        int classes = classOf.Count;
        var counts = new int[classes];
        foreach (int c in encoded) counts[c]++;
        if (counts.All(count => count < nSplits))
            throw new ArgumentException($"Cannot make {nSplits} stratified folds: every class has fewer than {nSplits} members.", nameof(y));
        string? warning = counts.Min() < nSplits
            ? $"The least populated class has only {counts.Min()} members, fewer than the {nSplits} folds; some folds test without it."
            : null;

        // allocation[f, c]: members of class c dealt to fold f when the class-sorted labels go round-robin.
        var allocation = new int[nSplits, classes];
        int position = 0;
        for (int c = 0; c < classes; c++)
            for (int m = 0; m < counts[c]; m++, position++) allocation[position % nSplits, c]++;
        var testFold = new int[y.Count];
        var fold = new int[classes];
        var used = new int[classes];
        for (int i = 0; i < y.Count; i++)
        {
            int c = encoded[i];
            while (used[c] == allocation[fold[c], c])
            {
                fold[c]++;
                used[c] = 0;
            }
            testFold[i] = fold[c];
            used[c]++;
        }
        return new StratifiedFolds(testFold, nSplits, warning);
    }
}
