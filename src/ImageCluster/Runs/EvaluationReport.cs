using ImageCluster.Evaluation;

namespace ImageCluster.Runs;

/// <summary>External scores of a clustering against labels.</summary>
/// <param name="Images">Assigned images that have a label (the ones scored).</param>
/// <param name="Unlabelled">Assigned images without a label (not scored).</param>
/// <param name="Classes">Distinct labels among the scored images.</param>
/// <param name="Clusters">Distinct clusters among the scored images (noise −1 counts as one).</param>
/// <param name="RandIndex">Rand index.</param>
/// <param name="AdjustedRandIndex">Adjusted Rand index.</param>
/// <param name="Nmi">Normalised mutual information (arithmetic mean, scikit-learn's default).</param>
/// <param name="Ami">Adjusted mutual information (corrected for chance).</param>
/// <param name="HungarianAccuracy">Accuracy of the best one-to-one matching of clusters to classes.</param>
/// <param name="Homogeneity">Homogeneity.</param>
/// <param name="Completeness">Completeness.</param>
/// <param name="VMeasure">V-measure (β = 1).</param>
/// <param name="Purity">Purity.</param>
/// <param name="Contingency">Rows = classes, columns = clusters, as label → cluster → count.</param>
/// <param name="ClassOfInterest">Precision, recall and Quality Metric of whole clusters, when a class of interest was named.</param>
/// <param name="Reviewed">The same for the images a review keeps, when a run folder and a class of interest were named.</param>
public sealed record EvaluationReport(
    int Images, int Unlabelled, int Classes, int Clusters, double RandIndex, double AdjustedRandIndex, double Nmi,
    double Ami, double HungarianAccuracy, double Homogeneity, double Completeness, double VMeasure, double Purity,
    IReadOnlyDictionary<string, IReadOnlyDictionary<int, long>> Contingency, ClassOfInterestScore? ClassOfInterest,
    ReviewedSelectionScore? Reviewed = null);

/// <summary>
/// Woźniak &amp; Wrzesiński's Quality Metric of a reviewed selection: the images a review keeps (their own verdict, else
/// their cluster's; exactly what an export of the kept images exports) scored as the selection of the class of interest.
/// Only labelled images count.
/// </summary>
/// <param name="PositiveClass">The class of interest.</param>
/// <param name="Kept">Images the review keeps (labelled or not).</param>
/// <param name="Discarded">Images it discards.</param>
/// <param name="Undecided">Images not decided (not selected).</param>
/// <param name="KeptUnlabelled">Kept images without a label (not scored).</param>
/// <param name="Selected">Labelled kept images.</param>
/// <param name="Positives">Labelled images of the class of interest in the run.</param>
/// <param name="TruePositives">Kept images of the class of interest.</param>
/// <param name="Precision">TruePositives / Selected (0 when nothing is kept).</param>
/// <param name="Recall">TruePositives / Positives.</param>
/// <param name="PrecisionWeight">Weight of precision in the Quality Metric.</param>
/// <param name="RecallWeight">Weight of recall in the Quality Metric.</param>
/// <param name="QualityMetric">PrecisionWeight · Precision + RecallWeight · Recall.</param>
public sealed record ReviewedSelectionScore(string PositiveClass, int Kept, int Discarded, int Undecided, int KeptUnlabelled,
    long Selected, long Positives, long TruePositives, double Precision, double Recall, double PrecisionWeight, double RecallWeight, double QualityMetric);

/// <summary>The supervised baseline beside a clustering's scores (stratified 5-fold cross-validation on the same features).</summary>
/// <param name="Samples">Labelled rows used.</param>
/// <param name="LogisticRegression">Mean accuracy of multinomial logistic regression (L2, C = 1), or null when it could not run.</param>
/// <param name="LogisticRegressionStd">Its standard deviation over the folds.</param>
/// <param name="LogisticRegressionFolds">Its accuracy per fold.</param>
/// <param name="KNeighbors">Mean accuracy of 5-nearest-neighbours, or null.</param>
/// <param name="KNeighborsStd">Its standard deviation over the folds.</param>
/// <param name="KNeighborsFolds">Its accuracy per fold.</param>
/// <param name="Warnings">Why it could not run, or what to keep in mind (a class smaller than the folds).</param>
public sealed record BaselineSummary(int Samples, double? LogisticRegression, double? LogisticRegressionStd, double[] LogisticRegressionFolds,
    double? KNeighbors, double? KNeighborsStd, double[] KNeighborsFolds, IReadOnlyList<string> Warnings);
