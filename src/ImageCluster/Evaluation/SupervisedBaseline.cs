using ImageCluster.Diagnostics;

namespace ImageCluster.Evaluation;

/// <summary>Options of <see cref="SupervisedBaseline"/>.</summary>
internal sealed record SupervisedBaselineOptions
{
    /// <summary>Number of stratified folds (5, scikit-learn's default).</summary>
    public int NSplits { get; init; } = 5;

    /// <summary>
    /// Logistic regression settings: scikit-learn's default gradient tolerance 1e-4 (the classifier's own default, 1e-8,
    /// pins coefficients for oracle tests). Accuracy does not move between the two, but 100 classes × 1280 features need
    /// minutes at 1e-8 and seconds at 1e-4.
    /// </summary>
    public LogisticRegressionOptions LogisticRegression { get; init; } = new() { Tol = 1e-4 };

    /// <summary>k-NN settings.</summary>
    public KNeighborsOptions KNeighbors { get; init; } = new();
}

/// <summary>Cross-validated accuracy of one classifier.</summary>
/// <param name="Name">Which classifier.</param>
/// <param name="FoldAccuracies">Test accuracy of each fold, in fold order.</param>
internal sealed record CrossValidatedAccuracy(string Name, double[] FoldAccuracies)
{
    /// <summary>Mean accuracy over the folds.</summary>
    public double Mean => FoldAccuracies.Average();

    /// <summary>Population standard deviation over the folds (NumPy's <c>np.std</c>, as scikit-learn examples report).</summary>
    public double Std => Math.Sqrt(FoldAccuracies.Average(a => (a - Mean) * (a - Mean)));
}

/// <summary>The supervised reference points for a clustering: what labelled training could reach with these features.</summary>
/// <param name="Folds">The stratified folds used (with a warning when a class is smaller than the number of folds).</param>
/// <param name="LogisticRegression">Multinomial logistic regression (L2, C = 1) accuracy per fold.</param>
/// <param name="KNeighbors">5-nearest-neighbour accuracy per fold.</param>
internal sealed record SupervisedBaselineResult(StratifiedFolds Folds, CrossValidatedAccuracy LogisticRegression,
    CrossValidatedAccuracy KNeighbors)
{
    /// <summary>Problems worth telling the user (a class smaller than the number of folds), or empty.</summary>
    public IReadOnlyList<string> Warnings => Folds.Warning is { } w ? [w] : [];
}

/// <summary>
/// Supervised baseline: stratified k-fold cross-validation (<see cref="StratifiedKFold"/>, no shuffling) of a multinomial
/// logistic regression and a k-NN classifier on the raw features — an upper reference for how well the features separate
/// the classes, to read clustering scores against. Cost: NSplits logistic-regression fits and k-NN searches.
/// </summary>
internal static class SupervisedBaseline
{
    /// <summary>Cross-validates both classifiers on <paramref name="x"/> with labels <paramref name="y"/>.</summary>
    /// <exception cref="ArgumentException">Mismatched lengths, a NaN row, too few samples for the folds, or a single class.</exception>
    public static SupervisedBaselineResult Evaluate(FeatureMatrix x, IReadOnlyList<int> y, SupervisedBaselineOptions? options = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        options ??= new SupervisedBaselineOptions();
        if (y.Count != x.Rows) throw new ArgumentException($"{y.Count} labels for {x.Rows} samples.", nameof(y));
        x.ThrowIfNotFinite();
        var folds = StratifiedKFold.Split(y, options.NSplits);
        var logistic = new double[options.NSplits];
        var neighbours = new double[options.NSplits];
        for (int fold = 0; fold < options.NSplits; fold++)
        {
            int[] train = folds.TrainIndices(fold), test = folds.TestIndices(fold);
            var trainX = Sampling.Rows(x, train);
            var testX = Sampling.Rows(x, test);
            int[] trainY = train.Select(i => y[i]).ToArray();
            int[] testY = test.Select(i => y[i]).ToArray();
            var model = new LogisticRegression(options.LogisticRegression).Fit(trainX, trainY, cancellation);
            logistic[fold] = Accuracy(testY, model.Predict(testX));
            var knn = new KNeighborsClassifier(options.KNeighbors).Fit(trainX, trainY);
            neighbours[fold] = Accuracy(testY, knn.Predict(testX, cancellation));
        }
        return new SupervisedBaselineResult(folds,
            new CrossValidatedAccuracy("Logistic regression", logistic), new CrossValidatedAccuracy("k-nearest neighbours", neighbours));
    }

    private static double Accuracy(int[] truth, int[] predicted) =>
        truth.Length == 0 ? double.NaN : truth.Zip(predicted).Count(p => p.First == p.Second) / (double)truth.Length;
}
