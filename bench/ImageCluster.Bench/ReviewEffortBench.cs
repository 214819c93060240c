using System.Diagnostics;
using System.Globalization;
using ImageCluster.Clustering;
using ImageCluster.Diagnostics;
using ImageCluster.Evaluation;
using ImageCluster.Pipeline;
using ImageCluster.Runs;
using ImageCluster.Review;

namespace ImageCluster.Bench;

/// <summary>
/// <c>bench review-effort [--sets …] [--work DIR] [--classes 10] [--seconds-per-decision 10]</c>: how many human decisions a
/// filtering job takes. Every labelled set of ../shared is embedded by the default model (cached in the work folder, as
/// <see cref="ModelsBench"/> does) and clustered by the default (<c>cluster</c> with no k: Leiden, neighbour count by
/// stability, seed 0). Then, for each class of interest in turn (a fixed sample of at most <c>--classes</c>, every
/// (classes/that)-th by name), a simulated reviewer who knows the labels works through the review's own operations on a
/// <see cref="ReviewState"/> — look at a cluster and keep or discard it, split it (<see cref="ReviewSession.Split"/>),
/// mark examples, accept proposals (<see cref="ExampleProposals"/>), fix single images, discard all undecided — and
/// stops as soon as the kept images reach Quality Metric 0.3·precision + 0.7·recall ≥ 0.95 for that class (or after as
/// many decisions as images: the by-hand cost). Three ways of working:
/// <list type="bullet">
/// <item>clusters: the clusters largest first, as the page lists them without examples;</item>
/// <item>examples: 3 examples of the class marked first (3 decisions), then the clusters in the queue's order (the
/// proposals' value, recomputed after every decision: the kept clusters join the examples), down to clusters expected
/// to hold at least one wanted image;</item>
/// <item>examples + proposals: as examples, then the keep proposals at confidence ≥ 0.9 accepted (one decision), again
/// while a round accepts ≥ 10 more (the accepted images seed the next round) and after any cluster decision that leaves
/// ≥ 10 undecided images at that confidence.</item>
/// </list>
/// Looking at a cluster: keep it when ≥ 80 % of it is the class, discard it when ≤ 20 %, else split it and judge the
/// parts (two levels at most; a part ≥ 50 % the class is kept). When the clusters are done and the target is not
/// reached, single images are fixed, each the fix that raises the metric most — generous: a person must first spot
/// that image, which the simulation does not charge for. Each operation costs one decision; the last is "discard all
/// undecided" when anything is left undecided. Deterministic: clusters, examples (from a seeded shuffle of the class)
/// and splits are seeded. The same run measures query by example: precision and recall, among the non-example images,
/// of the keep proposals at confidence ≥ 0.9 from 3 examples and nothing else; and the features' ceiling: 5-fold, with
/// 80 % of all images marked as like or unlike examples by their labels (hundreds of decisions), the best Quality Metric
/// the proposals reach on the held-out 20 % at any confidence cut. A set whose ceiling stays below 0.95 cannot reach the
/// target in few decisions whatever the order of work: the reviewer must judge its images nearly one by one.
/// </summary>
internal static class ReviewEffortBench
{
    private const double Target = 0.95;
    private const int ExampleCount = 3;
    private const double AcceptAt = ProposalOptions.DefaultMinConfidence;
    private const int ReacceptFrom = 10;
    private const double WorthALook = 1; // the queue's clusters below one expected wanted image are left to "discard all undecided"
    internal static readonly string[] Strategies = ["clusters", "examples", "examples + proposals"];

    internal sealed record Outcome(int Decisions, int Fixes, double Quality, bool Reached, IReadOnlyList<Decision> Log);

    internal sealed record Query(double Precision, double Recall, int Proposed);

    private sealed record ClassResult(string Class, int Size, Outcome[] Outcomes, Query Sure, Query Leaning, double Ceiling);

    private sealed record SetResult(string Set, int Images, int Classes, int Clusters, List<ClassResult> Results);

    public static int Run(string[] args)
    {
        string Arg(string name, string fallback) => BenchArgs.Value(args, name, fallback);
        var (shared, _, cli, work, sets, environment) = ModelsBench.Setting.Read(args);
        var spec = ModelsBench.Spec.Parse(Arg("--spec", "mobilenetv2_12_int8"));
        int maxClasses = int.Parse(Arg("--classes", "10"), CultureInfo.InvariantCulture);
        double secondsPerDecision = double.Parse(Arg("--seconds-per-decision", "10"), CultureInfo.InvariantCulture);
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Console.WriteLine($"features: {spec.Text}; clustering: the default (no k); target QM ≥ {Target}; {ExampleCount} examples; accept at ≥ {AcceptAt}");

        var clock = Stopwatch.StartNew();
        var results = new List<SetResult>();
        foreach (string set in sets)
        {
            var (input, labels) = ModelsBench.Prepare(shared, set, work);
            var features = ModelsBench.Embed(cli, environment, spec, set, input, work);
            var paths = features.Paths;
            var truth = paths.Select(p => labels[p]).ToArray();
            var unit = features.Matrix.Clone();
            unit.NormalizeRowsInPlace();
            var (best, _) = AutoSweep.Run(Isometry.Reduce(unit), paths, new AutoOptions { RankBy = AutoRanking.Stability, Seed = 0 });
            var clusters = best.Labels;
            var graph = ExampleProposals.Graph(unit, new ProposalOptions());
            var row = paths.Select((p, i) => (p, i)).ToDictionary(x => x.p, x => x.i, StringComparer.Ordinal);
            var classes = truth.Distinct().Order(StringComparer.Ordinal).ToArray();
            int step = Math.Max(1, (int)Math.Ceiling(classes.Length / (double)maxClasses));
            var tried = classes.Where((_, i) => i % step == 0).Take(maxClasses).ToArray();
            var perClass = new List<ClassResult>();
            foreach (var (cls, index) in tried.Select((c, i) => (c, i)))
            {
                var positive = truth.Select(t => t == cls).ToArray();
                var members = Enumerable.Range(0, paths.Length).Where(i => positive[i]).ToArray();
                var examples = members.OrderBy(_ => 0).ToArray();
                new Random(index).Shuffle(examples);
                var examplePaths = examples.Take(ExampleCount).Select(i => paths[i]).ToArray();
                var simulation = new Simulation(paths, clusters, positive, unit, row, graph);
                var outcomes = Strategies.Select(s => simulation.Run(s, examplePaths)).ToArray();
                var sure = simulation.Ask(examplePaths, AcceptAt);
                double ceiling = simulation.Ceiling();
                perClass.Add(new ClassResult(cls, members.Length, outcomes, sure, simulation.Ask(examplePaths, 0.5), ceiling));
                Console.Error.WriteLine(Inv($"  {set} {cls} ({members.Length}): ") + string.Join(", ", Strategies.Zip(outcomes,
                    (s, o) => Inv($"{s} {o.Decisions} decisions ({o.Fixes} single-image fixes) QM {o.Quality:F3}{(o.Reached ? "" : " (short)")}"))) +
                    Inv($"; query P {sure.Precision:F3} R {sure.Recall:F3} ({sure.Proposed} proposed); ceiling QM {ceiling:F3}"));
            }
            results.Add(new SetResult(set, paths.Length, classes.Length, clusters.Distinct().Count(), perClass));
            Console.Error.WriteLine($"  {set} done at {clock.Elapsed.TotalSeconds:F0} s");
        }
        Print(results, secondsPerDecision);
        PrintCeiling(results);
        Console.WriteLine($"\ntotal {clock.Elapsed.TotalSeconds:F0} s");
        return 0;
    }

    private static void Print(List<SetResult> results, double secondsPerDecision)
    {
        Console.WriteLine();
        Console.WriteLine(Inv($"Images per decision = images in the set / mean decisions over the classes tried; images per hour at {secondsPerDecision:0} s a decision (by hand: ≈ 100/h)."));
        Console.WriteLine();
        Console.WriteLine("| set | images | classes tried | clusters | way of working | decisions (mean) | of which image fixes | images / decision | images / hour | QM reached (mean, min) | classes short of 0.95 |");
        Console.WriteLine("|---|---:|---:|---:|---|---:|---:|---:|---:|---|---:|");
        foreach (var r in results)
            for (int s = 0; s < Strategies.Length; s++)
            {
                var outcomes = r.Results.Select(c => c.Outcomes[s]).ToList();
                double decisions = outcomes.Average(o => o.Decisions), perDecision = r.Images / decisions;
                Console.WriteLine(Inv($"| {r.Set} | {r.Images} | {r.Results.Count} | {r.Clusters} | {Strategies[s]} | {decisions:F1} | {outcomes.Average(o => o.Fixes):F1} | {perDecision:F0} | {perDecision * 3600 / secondsPerDecision:F0} | {outcomes.Average(o => o.Quality):F3}, {outcomes.Min(o => o.Quality):F3} | {outcomes.Count(o => !o.Reached)} |"));
            }
        Console.WriteLine();
        Console.WriteLine(Inv($"Query by example: {ExampleCount} examples of one class, keep proposals at confidence ≥ {AcceptAt} among the other images (mean over the classes tried)."));
        Console.WriteLine();
        Console.WriteLine("| set | precision at ≥ 0.9 | lowest precision of a class | recall at ≥ 0.9 | proposed per class | classes with none | precision at ≥ 0.5 | recall at ≥ 0.5 |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            var with = r.Results.Where(c => c.Sure.Proposed > 0).ToList();
            // Precision over the proposals made (pooled): a class with none proposes nothing wrong and is counted apart.
            double Pooled(Func<ClassResult, Query> of) => r.Results.Sum(c => of(c).Proposed) is var n and > 0 ? r.Results.Sum(c => of(c).Precision * of(c).Proposed) / n : double.NaN;
            Console.WriteLine(Inv($"| {r.Set} | {Pooled(c => c.Sure):F3} | {(with.Count == 0 ? double.NaN : with.Min(c => c.Sure.Precision)):F3} | {r.Results.Average(c => c.Sure.Recall):F3} | {r.Results.Average(c => c.Sure.Proposed):F1} | {r.Results.Count - with.Count} | {Pooled(c => c.Leaning):F3} | {r.Results.Average(c => c.Leaning.Recall):F3} |"));
        }
    }

    private static void PrintCeiling(List<SetResult> results)
    {
        Console.WriteLine();
        Console.WriteLine("What the features allow: 5-fold, 80 % of the images marked as examples by their labels; the best Quality Metric of the keep proposals on the held-out 20 % (pooled over the folds, best confidence cut).");
        Console.WriteLine();
        Console.WriteLine("| set | examples marked (decisions) | ceiling QM (mean) | lowest class | classes ≥ 0.95 |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach (var r in results)
            Console.WriteLine(Inv($"| {r.Set} | {r.Images * 4 / 5} | {r.Results.Average(c => c.Ceiling):F3} | {r.Results.Min(c => c.Ceiling):F3} | {r.Results.Count(c => c.Ceiling >= Target)} of {r.Results.Count} |"));
    }

    /// <summary>One set, clustered once; runs the reviewer for one class at a time.</summary>
    internal sealed class Simulation(string[] paths, int[] clusters, bool[] positive, FeatureMatrix unit, Dictionary<string, int> row,
        WeightedGraph graph)
    {
        private readonly int _positives = positive.Count(p => p);
        private readonly ProposalOptions _options = new();

        public Outcome Run(string strategy, string[] examples)
        {
            var state = new ReviewState(paths, clusters);
            int decisions = 0, cap = paths.Length;
            var log = new List<Decision>();
            bool Done() => Quality(state) >= Target || decisions >= cap;
            void Apply(Decision d, int cost = 1)
            {
                state.Apply(d);
                log.Add(d);
                decisions += cost;
            }
            ProposalSet Propose() => ExampleProposals.Of(state, paths, graph, _options);
            bool Accept(int atLeast)
            {
                if (Propose().Accept(state, AcceptAt) is not { } accepted || accepted.Kept.Length + accepted.Discarded.Length < atLeast) return false;
                Apply(accepted);
                return true;
            }

            bool withExamples = strategy != Strategies[0], withProposals = strategy == Strategies[2];
            if (withExamples) Apply(new MarkExamples(examples, []), cost: examples.Length);
            if (withProposals) for (int round = 0; round < 10 && !Done() && Accept(round == 0 ? 1 : ReacceptFrom); round++) { }
            var looked = new HashSet<int>();
            while (!Done())
            {
                int? next = withExamples
                    ? Propose().Clusters.Where(c => c.Undecided > 0 && c.Value >= WorthALook && !looked.Contains(c.Cluster)).Select(c => (int?)c.Cluster).FirstOrDefault()
                    : state.Clusters.Where(c => c.Undecided > 0 && !looked.Contains(c.Cluster)).OrderByDescending(c => c.Size).ThenBy(c => c.Cluster)
                        .Select(c => (int?)c.Cluster).FirstOrDefault();
                if (next is not int cluster) break;
                looked.Add(cluster);
                Judge(state, cluster, depth: 0, looked, Apply, Done);
                if (withProposals && !Done()) Accept(ReacceptFrom);
            }
            int beforeFixes = decisions;
            while (!Done()) Apply(BestFix(state));
            int fixes = decisions - beforeFixes;
            if (state.DiscardUndecided() is { } rest) Apply(rest);
            double quality = Quality(state);
            return new Outcome(decisions, fixes, quality, quality >= Target, log);
        }

        /// <summary>Precision and recall of the keep proposals at ≥ <paramref name="confidence"/> from the examples alone (the examples left out).</summary>
        public Query Ask(string[] examples, double confidence)
        {
            var state = new ReviewState(paths, clusters);
            state.Apply(new MarkExamples(examples, []));
            var exampleSet = examples.ToHashSet(StringComparer.Ordinal);
            var kept = Propose(state).Images.Where(p => p.Verdict == Verdict.Keep && p.Confidence >= confidence && !exampleSet.Contains(p.Path)).ToList();
            int right = kept.Count(p => positive[row[p.Path]]);
            return new Query(kept.Count == 0 ? 0 : (double)right / kept.Count, (double)right / (_positives - examples.Length), kept.Count);
        }

        /// <summary>The best Quality Metric on held-out images when 80 % of all images are examples (5 folds, seeded).</summary>
        public double Ceiling(int folds = 5)
        {
            var order = Enumerable.Range(0, paths.Length).ToArray();
            new Random(0).Shuffle(order);
            var likeProbability = new double[paths.Length];
            for (int fold = 0; fold < folds; fold++)
            {
                var train = order.Where((_, k) => k % folds != fold).ToArray();
                var state = new ReviewState(paths, clusters);
                state.Apply(new MarkExamples([.. train.Where(i => positive[i]).Select(i => paths[i])], [.. train.Where(i => !positive[i]).Select(i => paths[i])]));
                var heldOut = order.Where((_, k) => k % folds == fold).Select(i => paths[i]).ToHashSet(StringComparer.Ordinal);
                foreach (var p in Propose(state).Images.Where(p => heldOut.Contains(p.Path)))
                    likeProbability[row[p.Path]] = p.Verdict == Verdict.Keep ? p.Confidence : 1 - p.Confidence;
            }
            // Every cut between two distinct probabilities, highest first: keep the images at or above it.
            var ranked = Enumerable.Range(0, paths.Length).OrderByDescending(i => likeProbability[i]).ToArray();
            double best = 0;
            int kept = 0, right = 0;
            for (int k = 0; k < ranked.Length; k++)
            {
                kept++;
                if (positive[ranked[k]]) right++;
                if (k + 1 == ranked.Length || likeProbability[ranked[k + 1]] < likeProbability[ranked[k]])
                    best = Math.Max(best, ClassOfInterest.QualityMetric(kept, _positives, right));
            }
            return best;
        }

        private ProposalSet Propose(ReviewState state) => ExampleProposals.Of(state, paths, graph, _options);

        private void Judge(ReviewState state, int cluster, int depth, HashSet<int> looked, Action<Decision, int> apply, Func<bool> done)
        {
            var members = state.Members(cluster);
            double share = members.Count(p => positive[row[p]]) / (double)members.Count;
            if (share > 0.2 && share < 0.8 && depth < 2 && members.Count >= 4)
            {
                var split = ReviewSession.Split(state, cluster, members, Sampling.Rows(unit, [.. members.Select(p => row[p])]), seed: 0, "bench");
                if (split.Moved.Length > 0)
                {
                    apply(split, 1);
                    looked.Add(split.NewCluster);
                    foreach (int part in new[] { cluster, split.NewCluster })
                        if (!done()) Judge(state, part, depth + 1, looked, apply, done);
                    return;
                }
            }
            apply(new ClusterVerdict([cluster], share >= 0.5 ? Verdict.Keep : Verdict.Discard), 1);
        }

        // The single-image fix that raises the metric most: keep a missed image of the class, or discard a wrong kept one.
        private ImageVerdict BestFix(ReviewState state)
        {
            var images = state.Images;
            int kept = images.Count(i => i.Verdict == Verdict.Keep), right = images.Count(i => i.Verdict == Verdict.Keep && positive[row[i.Path]]);
            double Qm(int k, int r) => ClassOfInterest.QualityMetric(k, _positives, r);
            var missed = images.FirstOrDefault(i => i.Verdict != Verdict.Keep && positive[row[i.Path]]);
            var wrong = images.FirstOrDefault(i => i.Verdict == Verdict.Keep && !positive[row[i.Path]]);
            double gainKeep = missed is null ? double.NegativeInfinity : Qm(kept + 1, right + 1);
            double gainDiscard = wrong is null ? double.NegativeInfinity : Qm(kept - 1, right);
            return gainKeep >= gainDiscard ? new ImageVerdict([missed!.Path], Verdict.Keep) : new ImageVerdict([wrong!.Path], Verdict.Discard);
        }

        internal double Quality(ReviewState state)
        {
            int kept = 0, right = 0;
            foreach (var i in state.Images)
                if (i.Verdict == Verdict.Keep)
                {
                    kept++;
                    if (positive[row[i.Path]]) right++;
                }
            return ClassOfInterest.QualityMetric(kept, _positives, right);
        }
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
