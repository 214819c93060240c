using System.Text.Json;
using ImageCluster.Evaluation;

namespace ImageCluster.Tests;

/// <summary>
/// Stratified folds, multinomial logistic regression and k-NN against scikit-learn 1.2.1
/// (tools/make_diagnostics_fixtures.py: StratifiedKFold(5), LogisticRegression(multinomial, lbfgs, C=1, max_iter=1000),
/// KNeighborsClassifier(5)).
/// </summary>
public class SupervisedBaselineTests
{
    private static JsonElement Supervised(string set) =>
        DiagnosticsTests.Fixture.Value.GetProperty("supervised").EnumerateArray().Single(s => s.GetProperty("set").GetString() == set);

    public static TheoryData<int> FoldCases() => DiagnosticsTests.Indices("folds");

    [Theory]
    [MemberData(nameof(FoldCases))]
    public void Folds_equal_scikit_learn(int index)
    {
        var c = DiagnosticsTests.Fixture.Value.GetProperty("folds")[index];
        var folds = StratifiedKFold.Split(OracleData.Ints(c.GetProperty("y")));
        var expected = c.GetProperty("folds").EnumerateArray().Select(OracleData.Ints).ToArray();
        for (int f = 0; f < 5; f++) Assert.Equal(expected[f], folds.TestIndices(f));
        Assert.Equal(c.GetProperty("warning").ValueKind != JsonValueKind.Null, folds.Warning is not null);
    }

    [Theory]
    [InlineData("cnn")]
    [InlineData("blobs_8d")]
    public void Logistic_regression_equals_scikit_learn_per_fold(string set)
    {
        var (x, y) = OracleData.Set(set);
        var folds = StratifiedKFold.Split(y);
        var expected = Supervised(set).GetProperty("folds");
        for (int f = 0; f < 5; f++)
        {
            var e = expected[f];
            Assert.Equal(OracleData.Ints(e.GetProperty("test")), folds.TestIndices(f));
            int[] train = folds.TrainIndices(f), test = folds.TestIndices(f);
            var model = new LogisticRegression().Fit(Rows(x, train), train.Select(i => y[i]).ToArray());
            Assert.True(model.Converged);

            // The optimum (scikit-learn newton-cg at tol 1e-8, gradient ≤ 1e-8): we reach it to 1e-6.
            AssertMatrix(e.GetProperty("lr_tight_coef"), model.Coef, 1e-6);
            AssertMatrix(e.GetProperty("lr_tight_intercept"), model.Intercept, 1e-5);
            // scikit-learn's default lbfgs stops at gradient ~1e-4: coefficients agree to 1e-3, intercepts (a flat direction
            // on separable blobs_8d, off by up to 4.8e-3 from the optimum in scikit-learn's own fit) to 1e-2.
            AssertMatrix(e.GetProperty("lr_coef"), model.Coef, 1e-3);
            AssertMatrix(e.GetProperty("lr_intercept"), model.Intercept, 1e-2);
            Assert.Equal(OracleData.Ints(e.GetProperty("lr_predictions")), model.Predict(Rows(x, test)));
        }
    }

    [Theory]
    [InlineData("cnn")]
    [InlineData("blobs_8d")]
    public void Baseline_accuracies_equal_scikit_learn(string set)
    {
        var (x, y) = OracleData.Set(set);
        var result = SupervisedBaseline.Evaluate(x, y);
        var folds = Supervised(set).GetProperty("folds").EnumerateArray().ToArray();
        Assert.Equal(folds.Select(f => f.GetProperty("lr_accuracy").GetDouble()), result.LogisticRegression.FoldAccuracies);
        Assert.Equal(folds.Select(f => f.GetProperty("knn_accuracy").GetDouble()), result.KNeighbors.FoldAccuracies);
        double mean = folds.Average(f => f.GetProperty("knn_accuracy").GetDouble());
        Assert.Equal(mean, result.KNeighbors.Mean, 12);
        Assert.Equal(Math.Sqrt(folds.Average(f => Math.Pow(f.GetProperty("knn_accuracy").GetDouble() - mean, 2))), result.KNeighbors.Std, 12);
        Assert.Empty(result.Warnings);

        var knn = new KNeighborsClassifier();
        for (int f = 0; f < 5; f++)
        {
            int[] train = result.Folds.TrainIndices(f), test = result.Folds.TestIndices(f);
            knn.Fit(Rows(x, train), train.Select(i => y[i]).ToArray());
            Assert.Equal(OracleData.Ints(folds[f].GetProperty("knn_predictions")), knn.Predict(Rows(x, test)));
        }
    }

    [Fact]
    public void A_class_smaller_than_the_folds_is_reported_not_fatal()
    {
        var (x, y) = OracleData.Set("blobs_8d");
        // Keep only 3 members of class 4.
        var keep = Enumerable.Range(0, y.Length).Where(i => y[i] != 4 || y.Take(i).Count(v => v == 4) < 3).ToArray();
        var result = SupervisedBaseline.Evaluate(Rows(x, keep), keep.Select(i => y[i]).ToArray());
        Assert.Contains("only 3 members", Assert.Single(result.Warnings));
        Assert.Equal(5, result.LogisticRegression.FoldAccuracies.Length);
    }

    [Fact]
    public void Vote_ties_go_to_the_smallest_label_and_bad_inputs_are_named()
    {
        var train = FeatureMatrix.FromRows([[0f], [1f], [-1f], [2f]]);
        var knn = new KNeighborsClassifier(new KNeighborsOptions { NNeighbors = 4 }).Fit(train, [7, 3, 7, 3]);
        Assert.Equal([3], knn.Predict(FeatureMatrix.FromRows([[0.5f]])));
        Assert.Contains("NNeighbors", Assert.Throws<ArgumentException>(
            () => new KNeighborsClassifier(new KNeighborsOptions { NNeighbors = 5 }).Fit(train, [1, 2, 1, 2])).Message);
        Assert.Contains("every class has fewer than 5", Assert.Throws<ArgumentException>(
            () => StratifiedKFold.Split([1, 1, 2, 2, 3, 3])).Message);
        Assert.Contains("at least 2 classes", Assert.Throws<ArgumentException>(
            () => new LogisticRegression().Fit(train, [1, 1, 1, 1])).Message);
        Assert.Contains("C must be", Assert.Throws<ArgumentException>(
            () => new LogisticRegression(new LogisticRegressionOptions { C = 0 }).Fit(train, [1, 2, 1, 2])).Message);
        var nan = FeatureMatrix.FromRows([[0f], [float.NaN], [1f], [2f], [3f]]);
        Assert.Contains("Feature vector 1", Assert.Throws<ArgumentException>(() => SupervisedBaseline.Evaluate(nan, [0, 0, 0, 1, 1])).Message);
    }

    private static FeatureMatrix Rows(FeatureMatrix x, int[] rows) => FeatureMatrix.FromRows(rows.Select(r => x.ReadRow(r).ToArray()).ToList());

    private static void AssertMatrix(JsonElement expected, double[] actual, double tolerance)
    {
        double[] flat = expected.ValueKind == JsonValueKind.Array && expected[0].ValueKind == JsonValueKind.Array
            ? expected.EnumerateArray().SelectMany(OracleData.Doubles).ToArray()
            : OracleData.Doubles(expected);
        Assert.Equal(flat.Length, actual.Length);
        double worst = flat.Zip(actual, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst <= tolerance, $"largest difference {worst:E2} > {tolerance:E0}");
    }
}
