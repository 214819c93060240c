using ImageCluster.Runs;
using ImageCluster.Evaluation;
using ImageCluster.Export;

namespace ImageCluster.Pipeline;

/// <summary>Options of <see cref="EvaluateJob"/> (assignments or a reviewed run scored against labels).</summary>
internal sealed record EvaluateJobOptions
{
    /// <summary><c>assignments.csv</c> of a run (<c>path,cluster,…</c>); or give <see cref="Run"/>.</summary>
    public string? Assignments { get; init; }

    /// <summary>
    /// A run folder of images: its assignments.csv is scored, and with <see cref="Positive"/> also the images its review
    /// keeps (<see cref="EvaluationReport.Reviewed"/>). Give this or <see cref="Assignments"/>.
    /// </summary>
    public string? Run { get; init; }

    /// <summary>Labels CSV: <c>path,label</c> (a <c>group</c> column is accepted too).</summary>
    public required string Labels { get; init; }

    /// <summary>Class of interest for precision, recall and the Quality Metric; null = none.</summary>
    public string? Positive { get; init; }

    /// <summary>Clusters the user keeps; null = those whose majority is the class of interest.</summary>
    public IReadOnlyList<int>? Keep { get; init; }

    /// <summary>Quality Metric weights (precision, recall); null = 0.3, 0.7.</summary>
    public (double Precision, double Recall)? Weights { get; init; }
}

/// <summary>Scores an <c>assignments.csv</c> against a labels CSV.</summary>
internal static class EvaluateJob
{
    /// <summary>Runs the evaluation. User mistakes surface as <see cref="ImageClusterException"/>.</summary>
    public static EvaluationReport Run(EvaluateJobOptions o)
    {
        if ((o.Assignments is null) == (o.Run is null))
            throw new ArgumentException(o.Run is null ? "give Assignments (a CSV file) or Run (a run folder)" : "give Assignments (a CSV file) or Run (a run folder), not both", "Assignments");
        using var review = o.Run is null ? null : Review.ReviewSession.Open(o.Run);
        string file = o.Assignments ?? Path.Combine(review!.RunFolder, RunFolder.AssignmentsFileName);
        var assignments = ReadTable(file, "cluster");
        var predicted = new List<int>();
        foreach (var (path, cluster) in assignments)
        {
            if (!int.TryParse(cluster, out int c))
                throw new ImageClusterException($"{file}: cluster '{cluster}' of {path} is not a whole number");
            predicted.Add(c);
        }
        var labels = LabelFile.Read(o.Labels);
        var report = Evaluate(assignments.Select(a => a.Path).ToList(), predicted, labels, file, o.Positive, o.Keep, o.Weights);
        return review is null || o.Positive is null ? report : report with { Reviewed = ScoreReview(review.State, labels, o.Positive, o.Weights) };
    }

    /// <summary>Scores the images <paramref name="state"/> keeps as the selection of <paramref name="positive"/>.</summary>
    /// <exception cref="ImageClusterException">No image has a label, the class is unknown or the weights are wrong.</exception>
    public static ReviewedSelectionScore ScoreReview(Review.ReviewState state, LabelFile labels, string positive, (double Precision, double Recall)? weights = null)
    {
        var kept = Exporter.Selected(state, ExportSelection.Kept).Select(i => i.Path).ToHashSet(StringComparer.Ordinal);
        var images = state.Images;
        var truth = new List<string>();
        var selected = new List<int>(); // 1 = kept: scored as the one kept "cluster" of the Quality Metric
        foreach (var image in images)
            if (labels.Find(image.Path) is { } label)
            {
                truth.Add(label);
                selected.Add(kept.Contains(image.Path) ? 1 : 0);
            }
        if (truth.Count == 0)
            throw new ImageClusterException($"no image of the review has a label in {labels.File}; paths must match (relative paths may differ by leading folders)");
        ClassOfInterestScore score;
        try
        {
            score = Evaluation.ClassOfInterest.Score(truth, selected, positive, [1], weights);
        }
        catch (ArgumentException e)
        {
            throw new ImageClusterException(e.Message);
        }
        return new ReviewedSelectionScore(positive, kept.Count, images.Count(i => i.Verdict == Review.Verdict.Discard),
            images.Count(i => i.Verdict == Review.Verdict.Undecided), kept.Count - (int)score.Selected, score.Selected, score.Positives, score.TruePositives,
            score.Precision, score.Recall, score.PrecisionWeight, score.RecallWeight, score.QualityMetric);
    }

    /// <summary>
    /// Scores cluster labels of <paramref name="paths"/> against <paramref name="labels"/>; paths without a label are
    /// counted as unlabelled and left out.
    /// </summary>
    /// <exception cref="ImageClusterException">No path has a label, or the class of interest is unknown.</exception>
    public static EvaluationReport Evaluate(IReadOnlyList<string> paths, IReadOnlyList<int> clusters, LabelFile labels, string source,
        string? positive = null, IReadOnlyList<int>? keep = null, (double Precision, double Recall)? weights = null)
    {
        var truth = new List<string>();
        var predicted = new List<int>();
        int unlabelled = 0;
        for (int i = 0; i < paths.Count; i++)
        {
            if (labels.Find(paths[i]) is { } label) { truth.Add(label); predicted.Add(clusters[i]); }
            else unlabelled++;
        }
        if (truth.Count == 0)
            throw new ImageClusterException($"no path of {source} has a label in {labels.File}; paths must match (relative paths may differ by leading folders)");

        var truthIds = ClusteringMetrics.ToIntegers(truth);
        var (h, c2, v) = ClusteringMetrics.HomogeneityCompletenessVMeasure(truthIds, predicted);
        var table = truth.Zip(predicted).GroupBy(p => p.First, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyDictionary<int, long>)g.GroupBy(p => p.Second).OrderBy(x => x.Key).ToDictionary(x => x.Key, x => (long)x.Count()));
        ClassOfInterestScore? score = null;
        if (positive is not null)
        {
            try
            {
                score = Evaluation.ClassOfInterest.Score(truth, predicted, positive, keep?.ToList(), weights);
            }
            catch (ArgumentException e)
            {
                throw new ImageClusterException(e.Message);
            }
        }
        return new EvaluationReport(truth.Count, unlabelled, table.Count, predicted.Distinct().Count(),
            ClusteringMetrics.RandIndex(truthIds, predicted), ClusteringMetrics.AdjustedRandIndex(truthIds, predicted),
            ClusteringMetrics.NormalizedMutualInformation(truthIds, predicted), ChanceAdjusted.AdjustedMutualInformation(truthIds, predicted),
            ChanceAdjusted.HungarianAccuracy(truthIds, predicted), h, c2, v, ClusteringMetrics.Purity(truthIds, predicted),
            table, score);
    }

    /// <summary>Why a baseline without labels is refused.</summary>
    internal const string BaselineNeedsLabels = "Baseline trains classifiers on the labels: give Labels too";

    /// <summary>
    /// The supervised reference on the same features: stratified 5-fold accuracy of a multinomial logistic regression and
    /// of 5-NN, on the rows that have a label. Problems (a single class, too few samples) are reported in the result.
    /// </summary>
    public static BaselineSummary Baseline(FeatureMatrix x, IReadOnlyList<string> paths, LabelFile labels, CancellationToken ct = default)
    {
        var rows = new List<int>();
        var names = new List<string>();
        for (int i = 0; i < paths.Count; i++)
            if (labels.Find(paths[i]) is { } label) { rows.Add(i); names.Add(label); }
        try
        {
            var result = SupervisedBaseline.Evaluate(Diagnostics.Sampling.Rows(x, rows.ToArray()), ClusteringMetrics.ToIntegers(names), cancellation: ct);
            return new BaselineSummary(rows.Count, result.LogisticRegression.Mean, result.LogisticRegression.Std, result.LogisticRegression.FoldAccuracies,
                result.KNeighbors.Mean, result.KNeighbors.Std, result.KNeighbors.FoldAccuracies, result.Warnings);
        }
        catch (ArgumentException e)
        {
            return new BaselineSummary(rows.Count, null, null, [], null, null, [], [e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "")]);
        }
    }

    /// <summary>Reads the first column and the named value column of a CSV with a header.</summary>
    internal static List<(string Path, string Value)> ReadTable(string file, params string[] valueColumns)
    {
        if (!File.Exists(file)) throw new ImageClusterException($"file not found: {file}");
        using var reader = new StreamReader(file);
        var rows = Csv.ReadLines(reader).Where(r => r.Fields is not [""]).ToList(); // blank lines are nothing
        if (rows.Count == 0) throw new ImageClusterException($"{file} is empty");
        var header = rows[0].Fields;
        int column = valueColumns.Select(name => Array.IndexOf(header, name)).FirstOrDefault(i => i >= 0, -1);
        if (column < 0 || Array.IndexOf(header, "path") != 0)
            throw new ImageClusterException($"{file}: expected a header 'path,{valueColumns[0]}' (got '{string.Join(',', header)}')");
        // A short row is a damaged file, never a row to drop: an unclosed quote swallows every line after it.
        if (rows.Skip(1).FirstOrDefault(r => r.Fields.Length <= column) is { Fields: not null } bad)
            throw new ImageClusterException($"{file} line {bad.Line}: {bad.Fields.Length} field(s) where the header has {header.Length}" +
                                            (bad.Fields.Any(f => f.Contains('\n')) ? "; a quote opened there is never closed" : ""));
        return rows.Skip(1).Select(r => (r.Fields[0], r.Fields[column])).ToList();
    }
}

/// <summary>
/// A <c>path,label</c> CSV (a data set's labels.csv). Finds a label by path: exactly, or by the longest common tail at
/// folder boundaries, since a run's paths are relative to the folder it scanned (<c>daisy/1.jpg</c>) while a data set's are
/// relative to its root (<c>images/daisy/1.jpg</c>).
/// </summary>
internal sealed class LabelFile
{
    private readonly Dictionary<string, string?> _bySuffix = new(StringComparer.Ordinal);

    private LabelFile(string file, List<(string Path, string Value)> labels)
    {
        File = file;
        Classes = labels.Select(l => l.Value).ToHashSet(StringComparer.Ordinal);
        foreach (var (path, label) in labels)
        {
            string normalised = path.Replace('\\', '/');
            for (int start = 0; start >= 0; start = NextSegment(normalised, start))
            {
                string suffix = normalised[start..];
                // A tail shared by two labelled files with different labels is ambiguous: never guess.
                _bySuffix[suffix] = _bySuffix.TryGetValue(suffix, out var existing) && existing != label ? null : label;
            }
        }
    }

    /// <summary>The CSV it was read from.</summary>
    public string File { get; }

    /// <summary>Every label the file gives.</summary>
    public IReadOnlySet<string> Classes { get; }

    /// <summary>Refuses a class of interest the file never gives (before any image is embedded).</summary>
    /// <exception cref="ImageClusterException">Naming the class, the file and (some of) its classes.</exception>
    public void RequireClass(string positive)
    {
        if (Classes.Contains(positive)) return;
        var known = Classes.Order(StringComparer.Ordinal).ToList();
        throw new ArgumentException($"Positive '{positive}' is not a class of {File}; its {known.Count} classes: " +
                                 string.Join(", ", known.Take(12)) + (known.Count > 12 ? ", …" : ""), "Positive");
    }

    /// <summary>Reads a CSV with a header <c>path,label</c> (or <c>path,group</c>).</summary>
    /// <exception cref="ImageClusterException">Missing file or wrong header.</exception>
    public static LabelFile Read(string file) => new(file, EvaluateJob.ReadTable(file, "label", "group"));

    /// <summary>The label of <paramref name="path"/>; the whole path must match, so a bare file name never does by accident.</summary>
    public string? Find(string path) => _bySuffix.GetValueOrDefault(path.Replace('\\', '/'));

    private static int NextSegment(string path, int start)
    {
        int slash = path.IndexOf('/', start);
        return slash < 0 ? -1 : slash + 1;
    }
}
