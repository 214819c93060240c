using ImageCluster.Diagnostics;

namespace ImageCluster.Evaluation;

/// <summary>Settings of <see cref="KNeighborsClassifier"/>, named after scikit-learn's <c>KNeighborsClassifier</c>.</summary>
internal sealed record KNeighborsOptions
{
    /// <summary>Number of neighbours that vote (scikit-learn's default 5).</summary>
    public int NNeighbors { get; init; } = 5;

    /// <summary>Checks the options against a training set of <paramref name="nSamples"/> rows.</summary>
    /// <exception cref="ArgumentException">With a message fit to show an end user.</exception>
    public void Validate(int nSamples)
    {
        if (NNeighbors < 1 || NNeighbors > nSamples)
            throw new ArgumentException($"NNeighbors must be between 1 and the number of training samples ({nSamples}) (got {NNeighbors}).", nameof(NNeighbors));
    }
}

/// <summary>
/// k-nearest-neighbour classification with uniform weights and Euclidean distance, as scikit-learn's
/// <c>KNeighborsClassifier(n_neighbors, weights="uniform")</c>: the majority class among the k nearest training samples;
/// neighbours at exactly equal distance are taken in training-sample order (scikit-learn's order among such ties depends
/// on its search: brute force or k-d tree), and a tied vote goes to the smallest class label (as scipy's mode). Blocked brute-force search: time O(test · train · d),
/// memory O(test · k).
/// </summary>
internal sealed class KNeighborsClassifier
{
    private readonly KNeighborsOptions _options;
    private FeatureMatrix? _x;
    private int[]? _y;

    /// <summary>Creates a classifier with the given settings.</summary>
    public KNeighborsClassifier(KNeighborsOptions? options = null)
    {
        _options = options ?? new KNeighborsOptions();
    }

    /// <summary>Stores the training samples (k-NN has no other fitting).</summary>
    /// <exception cref="ArgumentException">Invalid options, mismatched lengths or a NaN row.</exception>
    public KNeighborsClassifier Fit(FeatureMatrix x, IReadOnlyList<int> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        _options.Validate(x.Rows);
        if (y.Count != x.Rows) throw new ArgumentException($"{y.Count} labels for {x.Rows} samples.", nameof(y));
        x.ThrowIfNotFinite();
        (_x, _y) = (x, y.ToArray());
        return this;
    }

    /// <summary>Predicts the class of each row of <paramref name="x"/>.</summary>
    /// <exception cref="InvalidOperationException">Before <see cref="Fit"/>.</exception>
    public int[] Predict(FeatureMatrix x, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (_x is null || _y is null) throw new InvalidOperationException("Fit the classifier before predicting.");
        x.ThrowIfNotFinite();
        int k = _options.NNeighbors;
        var (_, neighbours) = NearestNeighbours.Query(_x, x, k, cancellation: cancellation);
        var predictions = new int[x.Rows];
        var votes = new SortedDictionary<int, int>();
        for (int q = 0; q < x.Rows; q++)
        {
            votes.Clear();
            for (int j = 0; j < k; j++)
            {
                int label = _y[neighbours[q * k + j]];
                votes[label] = votes.GetValueOrDefault(label) + 1;
            }
            // Ascending keys and a strict comparison: the smallest label wins a tie.
            int best = 0, bestCount = 0;
            foreach (var (label, count) in votes)
                if (count > bestCount) (best, bestCount) = (label, count);
            predictions[q] = best;
        }
        return predictions;
    }
}
