using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ImageCluster.Runs;
using ImageCluster.Pipeline;
using ImageCluster.Review;

namespace ImageCluster.Cli;

/// <summary><c>imagecluster select RUN …</c>: the review decisions for scripting (the same log the review page writes).</summary>
internal static class SelectCommand
{
    public static Command Build(TextWriter stdout)
    {
        var run = new Argument<string>("run") { Description = "Run folder written by 'imagecluster cluster'" };
        var keep = new Option<string?>("--keep") { Description = "Keep these clusters, e.g. 0,3" };
        var discard = new Option<string?>("--discard") { Description = "Discard these clusters" };
        var undecide = new Option<string?>("--undecide") { Description = "Make these clusters undecided again" };
        var rename = new Option<string[]>("--rename") { Description = "Name a cluster: 3=beach (repeatable)", AllowMultipleArgumentsPerToken = false };
        var merge = new Option<string?>("--merge") { Description = "Merge clusters: 1,2 moves 2 into 1" };
        var split = new Option<int?>("--split") { Description = "Split a cluster in two (K-Means k=2 on its stored embeddings)" };
        var seed = new Option<int>("--seed") { Description = "Seed of --split", DefaultValueFactory = _ => 0 };
        var move = new Option<string[]>("--move") { Description = "Move an image to a cluster: PATH=2 (path relative to the input folder; repeatable)" };
        var discardImage = new Option<string[]>("--discard-image") { Description = "Discard one image whatever its cluster's verdict (repeatable)" };
        var keepImage = new Option<string[]>("--keep-image") { Description = "Keep one image whatever its cluster's verdict (repeatable)" };
        var followImage = new Option<string[]>("--follow-cluster") { Description = "Drop an image's own verdict: it follows its cluster again (repeatable)" };
        var discardDuplicates = new Option<bool>("--discard-duplicates")
        {
            Description = "Discard every duplicate 'imagecluster duplicates' found, except the kept image of each group (one decision: one --undo takes it back)",
        };
        var discardIssue = new Option<string?>("--discard-issue")
        {
            Description = "Discard every image 'imagecluster issues' gave one of these issues, e.g. blurry,dark,corrupt (one decision)",
        };
        var like = new Option<string[]>("--like")
        {
            Description = "Mark images as examples of what to keep, e.g. a.jpg,b.jpg (they are kept); prints what they propose for every cluster",
        };
        var unlike = new Option<string[]>("--unlike") { Description = "Mark images as examples of what not to keep (they are discarded)" };
        var notExample = new Option<string[]>("--not-example") { Description = "Images that are examples no more (their verdicts stay)" };
        var proposals = new Option<bool>("--proposals") { Description = "Print what the examples propose (the review queue, most to gain first)" };
        var acceptProposals = new Option<bool>("--accept-proposals")
        {
            Description = "Keep every undecided image the examples propose to keep at --min-confidence or more (one decision, marked as accepted proposals)",
        };
        var acceptDiscards = new Option<bool>("--accept-discards")
        {
            Description = "With --accept-proposals, also discard the images proposed for discarding at that confidence",
        };
        var minConfidence = new Option<double>("--min-confidence")
        {
            Description = "Smallest confidence of an accepted proposal, 0.5 to 1", DefaultValueFactory = _ => ProposalOptions.DefaultMinConfidence,
        };
        var discardUndecided = new Option<bool>("--discard-undecided") { Description = "Discard every image still undecided (one decision)" };
        var undo = new Option<bool>("--undo") { Description = "Undo the last decision" };
        var redo = new Option<bool>("--redo") { Description = "Redo the last undone decision" };
        var status = new Option<bool>("--status") { Description = "Print every cluster with its verdict and counts, and the history" };
        var json = new Option<bool>("--json") { Description = "Print the status as JSON" };
        var command = new Command("select", "Keep, discard, rename, merge, split clusters and move or mark images; undo and redo. " +
                                            "Every decision is stored in the run's database at once")
        {
            run, keep, discard, undecide, rename, merge, split, seed, move, discardImage, keepImage, followImage, discardDuplicates, discardIssue,
            like, unlike, notExample, proposals, acceptProposals, acceptDiscards, minConfidence, discardUndecided, undo, redo, status, json,
        };
        command.SetAction(parse =>
        {
            using var session = ReviewSession.Open(parse.GetValue(run)!);
            var messages = new List<string>();
            bool wantsUndo = parse.GetValue(undo), wantsRedo = parse.GetValue(redo);
            var decisions = new List<Decision>();
            if (parse.GetValue(split) is int s) decisions.Add(session.PlanSplit(s, parse.GetValue(seed)));
            if (parse.GetValue(merge) is { } m)
                decisions.Add(Clusters(m, "--merge") is [var into, .. var from] && from.Length > 0
                    ? new MergeClusters(into, from) : throw new UsageException("--merge takes two or more clusters, e.g. 1,2 (2 goes into 1)"));
            foreach (var spec in parse.GetValue(move) ?? [])
            {
                int at = spec.LastIndexOf('=');
                if (at <= 0 || !int.TryParse(spec[(at + 1)..], NumberStyles.Integer, CultureInfo.InvariantCulture, out int to))
                    throw new UsageException($"--move takes PATH=CLUSTER, e.g. holiday/img1.jpg=2, not '{spec}'");
                decisions.Add(new MoveImages([session.ResolveImage(spec[..at]).Relative], to));
            }
            foreach (var (option, verdict) in new[] { (keep, Verdict.Keep), (discard, Verdict.Discard), (undecide, Verdict.Undecided) })
                if (parse.GetValue(option) is { } list) decisions.Add(new ClusterVerdict(Clusters(list, option.Name), verdict));
            foreach (var (option, verdict) in new[] { (keepImage, Verdict.Keep), (discardImage, Verdict.Discard), (followImage, Verdict.Undecided) })
                if (parse.GetValue(option) is { Length: > 0 } paths)
                    decisions.Add(new ImageVerdict(paths.Select(p => session.ResolveImage(p).Relative).ToArray(), verdict));
            if (parse.GetValue(discardDuplicates))
                AddFindings(session.PlanDiscardDuplicates, CurationFiles.Duplicates, "duplicates", "duplicates", session, decisions, messages);
            if (parse.GetValue(discardIssue) is { } issueList)
                AddFindings(() => session.PlanDiscardIssues(issueList.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)),
                    CurationFiles.Issues, "issues", "images with those issues", session, decisions, messages);
            foreach (var spec in parse.GetValue(rename) ?? [])
            {
                int at = spec.IndexOf('=');
                if (at <= 0 || !int.TryParse(spec[..at], NumberStyles.Integer, CultureInfo.InvariantCulture, out int cluster))
                    throw new UsageException($"--rename takes CLUSTER=NAME, e.g. 3=beach, not '{spec}'");
                decisions.Add(new RenameCluster(cluster, spec[(at + 1)..]));
            }
            var likes = Paths(parse.GetValue(like), "--like", session);
            var unlikes = Paths(parse.GetValue(unlike), "--unlike", session);
            var unmark = Paths(parse.GetValue(notExample), "--not-example", session);
            if (likes.Length + unlikes.Length + unmark.Length > 0)
                decisions.Add(new MarkExamples(likes, unlikes, unmark.Length == 0 ? null : unmark));
            bool accepting = parse.GetValue(acceptProposals), discarding = parse.GetValue(discardUndecided);
            double confidence = parse.GetValue(minConfidence);
            if (parse.GetResult(minConfidence) is { Implicit: false } && !accepting)
                throw new UsageException("--min-confidence goes with --accept-proposals");
            if (parse.GetValue(acceptDiscards) && !accepting) throw new UsageException("--accept-discards goes with --accept-proposals");
            if (!ProposalOptions.IsConfidence(confidence))
                throw new UsageException($"--min-confidence takes a confidence from 0.5 to 1, not {confidence.ToString(CultureInfo.InvariantCulture)}");
            if ((wantsUndo || wantsRedo) && (decisions.Count > 0 || accepting || discarding))
                throw new UsageException("--undo and --redo stand alone; give new decisions in another call");
            if (wantsUndo && wantsRedo) throw new UsageException("give --undo or --redo, not both");

            if (wantsUndo) messages.Add(session.Undo() is { } u ? $"undone: {u.Description}" : "nothing to undo");
            if (wantsRedo) messages.Add(session.Redo() is { } r ? $"redone: {r.Description}" : "nothing to redo");
            // The proposals and the bulk discard are worked out on a trial of the other decisions, so a refusal records nothing.
            var trial = session.State.Clone();
            var after = new List<string>(); // what did not happen, said after what did
            foreach (var d in decisions) trial.Apply(d.Normalized());
            ProposalSet? proposed = null;
            if (accepting)
            {
                proposed = session.Propose(trial);
                if (proposed.Accept(trial, confidence, parse.GetValue(acceptDiscards)) is { } accepted)
                {
                    decisions.Add(accepted);
                    trial.Apply(accepted);
                }
                else after.Add($"no undecided image has a proposal at confidence ≥ {confidence.ToString(CultureInfo.InvariantCulture)}: nothing accepted");
            }
            if (discarding)
            {
                if (trial.DiscardUndecided() is { } rest) decisions.Add(rest);
                else after.Add("no image is undecided: nothing discarded");
            }
            // The proposals shown are those of the state after the decisions, worked out before recording: asked for
            // (--proposals) and impossible, the call records nothing; only shown along with new examples, they give way.
            bool askedProposals = parse.GetValue(proposals);
            if (askedProposals && trial.LikeExamples.Count == 0) throw new UsageException("no image is marked as an example: give --like first");
            if ((askedProposals || likes.Length + unlikes.Length > 0 || accepting) && trial.LikeExamples.Count > 0)
                try
                {
                    proposed = session.Propose(trial);
                }
                catch (ImageClusterException e) when (!askedProposals && !accepting)
                {
                    proposed = null;
                    after.Add($"no proposals yet: {e.Message}");
                }
            foreach (var (seq, decision) in session.RecordAll(decisions))
                messages.Add($"recorded #{seq}: {decision.Describe()}");
            messages.AddRange(after);

            var report = session.Status() with { Proposals = proposed };
            if (parse.GetValue(json))
            {
                stdout.WriteLine(JsonSerializer.Serialize(report, RunFolder.Json));
                return Cli.Success;
            }
            foreach (var message in messages) stdout.WriteLine(message);
            var c = report.Counts;
            stdout.WriteLine($"images {c.Images}: kept {c.Kept}, discarded {c.Discarded}, undecided {c.Undecided}");
            if (c.LikeExamples + c.UnlikeExamples + c.AcceptedProposals > 0)
                stdout.WriteLine($"examples: like {c.LikeExamples}, unlike {c.UnlikeExamples}; images decided by accepted proposals {c.AcceptedProposals}");
            if (c.AddedImages > 0)
                stdout.WriteLine($"new images {c.AddedImages}: inherited keep {c.InheritedKeep}, discard {c.InheritedDiscard}; " +
                                 $"decided one by one {c.AddedImages - c.InheritedKeep - c.InheritedDiscard - c.AddedUndecided}; undecided {c.AddedUndecided}; " +
                                 $"in the new group {c.InNewGroup}");
            if (proposed is not null) PrintProposals(stdout, proposed, session.State);
            if (parse.GetValue(status) || (messages.Count == 0 && proposed is null)) PrintStatus(stdout, report);
            return Cli.Success;
        });
        return command;
    }

    // A bulk discard from the run's findings; the command that makes the findings is named when they are missing.
    private static void AddFindings(Func<CurationPlan> plan, string file, string command, string what, ReviewSession session,
        List<Decision> decisions, List<string> messages)
    {
        if (!File.Exists(Path.Combine(session.RunFolder, file)))
        {
            string input = File.Exists(session.InputFolder) ? $"--features {session.InputFolder}" : session.InputFolder;
            throw new UsageException($"{session.RunFolder} has no {file}: run 'imagecluster {command} {input} --out {session.RunFolder}' first");
        }
        var found = plan();
        if (found.NotInRun > 0)
            messages.Add($"{found.NotInRun} of the {what} are not images of this run (unreadable, or added after clustering): left as they are");
        if (found.KeptNotInRun > 0)
            messages.Add($"{found.KeptNotInRun} of the {what} are left as they are: the image their group keeps is not in this run");
        if (found.Decision is { } d) decisions.Add(d);
        else messages.Add($"no {what} to discard");
    }

    // Comma-separated and repeatable; every path must be an image of the run.
    private static string[] Paths(string[]? values, string option, ReviewSession session)
    {
        if (values is null || values.Length == 0) return [];
        var paths = values.SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToArray();
        if (paths.Length == 0) throw new UsageException($"{option} takes image paths of the run, e.g. holiday/a.jpg,holiday/b.jpg");
        return [.. paths.Select(p => session.ResolveImage(p).Relative)];
    }

    private const int QueueShown = 15;

    private static void PrintProposals(TextWriter stdout, ProposalSet proposals, ReviewState state)
    {
        // Every undecided image has a proposal of confidence ≥ 0.5: what accepting all would decide is all of them.
        var sure = proposals.Accept(state, ProposalOptions.DefaultMinConfidence, discards: true);
        var all = proposals.Accept(state, 0.5, discards: true);
        stdout.WriteLine($"proposals for the {(all?.Kept.Length ?? 0) + (all?.Discarded.Length ?? 0)} undecided images (from {proposals.Like} like and {proposals.Unlike} unlike images): " +
                         $"keep {sure?.Kept.Length ?? 0}, discard {sure?.Discarded.Length ?? 0} at confidence ≥ 0.9; " +
                         $"keep {all?.Kept.Length ?? 0}, discard {all?.Discarded.Length ?? 0} in all");
        var queue = proposals.Clusters.Where(c => c.Undecided > 0).ToList();
        if (queue.Count == 0) return;
        stdout.WriteLine("review queue (most to gain first):");
        stdout.WriteLine($"{"cluster",7}  {"proposal",-8} {"confidence",10} {"undecided",9} {"to gain",7}  note");
        foreach (var c in queue.Take(QueueShown))
            stdout.WriteLine(($"{c.Cluster,7}  {c.Verdict.ToString().ToLowerInvariant(),-8} {c.Confidence,10:F3} {c.Undecided,9} {c.Value,7:F1}  " +
                              (c.Impurity >= ProposalSet.ImpureFrom ? $"mixed ({c.Impurity:P0} the other way): try --split {c.Cluster}" : "")).TrimEnd());
        if (queue.Count > QueueShown) stdout.WriteLine($"  … {queue.Count - QueueShown} more clusters (--json lists every proposal)");
    }

    private static int[] Clusters(string text, string option)
    {
        try
        {
            return text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(t => int.Parse(t, NumberStyles.Integer, CultureInfo.InvariantCulture)).ToArray();
        }
        catch (FormatException)
        {
            throw new UsageException($"{option} takes comma-separated cluster numbers, e.g. 0,3, not '{text}'");
        }
    }

    private static void PrintStatus(TextWriter stdout, ReviewStatus report)
    {
        stdout.WriteLine($"{"cluster",7}  {"verdict",-9} {"size",5} {"kept",5} {"discarded",9} {"undecided",9}  name");
        foreach (var cl in report.Clusters)
            stdout.WriteLine($"{cl.Cluster,7}  {cl.Verdict.ToString().ToLowerInvariant(),-9} {cl.Size,5} {cl.Kept,5} {cl.Discarded,9} {cl.Undecided,9}  {cl.Name}");
        if (report.History.Count == 0) return;
        stdout.WriteLine("history:");
        foreach (var h in report.History)
            stdout.WriteLine($"  #{h.Seq} {h.Description}{(h.Undone ? " (undone)" : "")}");
    }
}
