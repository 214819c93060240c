using System.Text.Json.Serialization;

using ImageCluster.Runs;

namespace ImageCluster.Review;

/// <summary>What a reviewer decided about a cluster or an image.</summary>
internal enum Verdict
{
    /// <summary>Not decided yet (an image: follows its cluster).</summary>
    Undecided,

    /// <summary>Kept: exported by an export of the kept images.</summary>
    Keep,

    /// <summary>Discarded: exported only by an export of the discarded images, or of all.</summary>
    Discard,
}

/// <summary>One entry of the review log. Replaying the live entries over assignments.csv gives the current state.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(ClusterVerdict), "cluster-verdict")]
[JsonDerivedType(typeof(RenameCluster), "rename")]
[JsonDerivedType(typeof(MergeClusters), "merge")]
[JsonDerivedType(typeof(SplitCluster), "split")]
[JsonDerivedType(typeof(MoveImages), "move")]
[JsonDerivedType(typeof(ImageVerdict), "image-verdict")]
[JsonDerivedType(typeof(CarryOver), CarryOver.KindName)]
[JsonDerivedType(typeof(MarkExamples), "examples")]
[JsonDerivedType(typeof(AcceptProposals), "accept-proposals")]
[JsonDerivedType(typeof(AddImages), AddImages.KindName)]
internal abstract record Decision
{
    /// <summary>Short kind name stored beside the JSON (the same as its discriminator).</summary>
    [JsonIgnore]
    public abstract string Kind { get; }

    /// <summary>One line for history listings.</summary>
    public abstract string Describe();

    /// <summary>The same decision with each cluster and image named once (what is stored: bounded by the run's size).</summary>
    public virtual Decision Normalized() => this;
}

/// <summary>Sets the verdict of whole clusters.</summary>
/// <param name="Clusters">Cluster labels.</param>
/// <param name="Verdict">Keep, discard or undecided.</param>
internal sealed record ClusterVerdict(int[] Clusters, Verdict Verdict) : Decision
{
    /// <inheritdoc />
    public override Decision Normalized() => this with { Clusters = [.. Clusters.Distinct()] };

    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => "cluster-verdict";

    /// <inheritdoc />
    public override string Describe() => $"{Verdict.ToString().ToLowerInvariant()} cluster{(Clusters.Length == 1 ? "" : "s")} {string.Join(",", Clusters)}";
}

/// <summary>Gives a cluster a name (empty = no name).</summary>
/// <param name="Cluster">Cluster label.</param>
/// <param name="Name">The new name.</param>
internal sealed record RenameCluster(int Cluster, string Name) : Decision
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => "rename";

    /// <inheritdoc />
    public override string Describe() => $"rename cluster {Cluster} to '{Name}'";
}

/// <summary>Moves every image of <paramref name="From"/> into <paramref name="Into"/>; the merged clusters disappear.</summary>
/// <param name="Into">The cluster that stays (keeps its name and verdict).</param>
/// <param name="From">Clusters merged into it.</param>
internal sealed record MergeClusters(int Into, int[] From) : Decision
{
    /// <inheritdoc />
    public override Decision Normalized() => this with { From = [.. From.Distinct()] };

    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => "merge";

    /// <inheritdoc />
    public override string Describe() => $"merge {string.Join(",", From)} into {Into}";
}

/// <summary>
/// Moves part of a cluster into a new cluster. The membership is stored, not the recipe, so replaying the log never
/// needs the embeddings or the clustering code of the day.
/// </summary>
/// <param name="Cluster">The cluster split.</param>
/// <param name="NewCluster">Label of the new cluster.</param>
/// <param name="Moved">Images (relative paths) that went to the new cluster.</param>
/// <param name="Method">How the split was computed, for the record (e.g. <c>kmeans k=2 seed 0</c>).</param>
internal sealed record SplitCluster(int Cluster, int NewCluster, string[] Moved, string Method) : Decision
{
    /// <inheritdoc />
    public override Decision Normalized() => this with { Moved = [.. Moved.Distinct(StringComparer.Ordinal)] };

    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => "split";

    /// <inheritdoc />
    public override string Describe() => $"split cluster {Cluster}: {Moved.Length} images to new cluster {NewCluster} ({Method})";
}

/// <summary>Moves images to another existing cluster.</summary>
/// <param name="Paths">Images, relative to the input folder.</param>
/// <param name="To">Target cluster.</param>
internal sealed record MoveImages(string[] Paths, int To) : Decision
{
    /// <inheritdoc />
    public override Decision Normalized() => this with { Paths = [.. Paths.Distinct(StringComparer.Ordinal)] };

    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => "move";

    /// <inheritdoc />
    public override string Describe() => $"move {(Paths.Length == 1 ? Paths[0] : $"{Paths.Length} images")} to cluster {To}";
}

/// <summary>Overrides the verdict of single images (<see cref="Verdict.Undecided"/> = follow the cluster again).</summary>
/// <param name="Paths">Images, relative to the input folder.</param>
/// <param name="Verdict">The image's own verdict.</param>
/// <param name="Reason">Why, when a rule picked the images rather than a person one by one (e.g. the duplicates found).</param>
internal sealed record ImageVerdict(string[] Paths, Verdict Verdict, string? Reason = null) : Decision
{
    /// <inheritdoc />
    public override Decision Normalized() => this with { Paths = [.. Paths.Distinct(StringComparer.Ordinal)] };

    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => "image-verdict";

    /// <inheritdoc />
    public override string Describe() =>
        $"{(Verdict == Verdict.Undecided ? "follow cluster for" : Verdict.ToString().ToLowerInvariant())} {(Paths.Length == 1 ? Paths[0] : $"{Paths.Length} images")}" +
        (Reason is null ? "" : $" ({Reason})");
}

/// <summary>
/// Starts the review of a new clustering of the run from the previous clustering's: the state goes back to the clustering
/// as written (no names, no cluster verdicts, no moves), then every listed image gets, as its own verdict, the verdict it
/// had. Recorded by <see cref="Pipeline.ClusterJob"/> when it replaces a reviewed clustering; see <see cref="ReviewCarryOverInfo"/>.
/// </summary>
/// <param name="Kept">Images (relative paths) that were kept.</param>
/// <param name="Discarded">Images that were discarded.</param>
/// <param name="Dropped">What of the previous review did not carry over, in words (empty = nothing).</param>
/// <param name="Like">Images that were like examples (an example is of an image, not a cluster: it carries over).</param>
/// <param name="Unlike">Images that were unlike examples.</param>
internal sealed record CarryOver(string[] Kept, string[] Discarded, string Dropped, string[]? Like = null, string[]? Unlike = null) : Decision
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => KindName;

    /// <summary>The kind's name in the log (recorded by the cluster job, not by a person).</summary>
    public const string KindName = "carry-over";

    /// <inheritdoc />
    public override string Describe() =>
        $"carry over the previous clustering's verdicts: keep {Kept.Length}, discard {Discarded.Length} images" +
        ((Like?.Length ?? 0) + (Unlike?.Length ?? 0) > 0 ? $"; examples: like {Like?.Length ?? 0}, unlike {Unlike?.Length ?? 0}" : "") +
        (Dropped.Length == 0 ? "" : $"; dropped {Dropped}");
}

/// <summary>
/// Marks images as examples of what the reviewer wants (<paramref name="Like"/>: they are kept) or does not want
/// (<paramref name="Unlike"/>: discarded); <paramref name="Unmark"/> stops images being examples (their verdict stays).
/// The examples seed the proposals (<see cref="ExampleProposals"/>).
/// </summary>
/// <param name="Like">Images (relative paths) the others should be like.</param>
/// <param name="Unlike">Images they should not be like.</param>
/// <param name="Unmark">Images that are examples no more.</param>
internal sealed record MarkExamples(string[] Like, string[] Unlike, string[]? Unmark = null) : Decision
{
    /// <inheritdoc />
    public override Decision Normalized() => this with
    {
        Like = [.. Like.Distinct(StringComparer.Ordinal)], Unlike = [.. Unlike.Distinct(StringComparer.Ordinal)],
        Unmark = Unmark is null ? null : [.. Unmark.Distinct(StringComparer.Ordinal)],
    };

    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => "examples";

    /// <inheritdoc />
    public override string Describe() => string.Join("; ", new[]
    {
        Like.Length == 0 ? null : $"like {Name(Like)}", Unlike.Length == 0 ? null : $"unlike {Name(Unlike)}",
        Unmark is not { Length: > 0 } ? null : $"not an example: {Name(Unmark)}",
    }.Where(s => s is not null)) is { Length: > 0 } text ? $"examples: {text}" : "examples: none";

    internal static string Name(string[] paths) => paths.Length == 1 ? paths[0] : $"{paths.Length} images";
}

/// <summary>
/// Accepts the proposals of the examples for undecided images at or above a confidence: each image gets the proposed
/// verdict as its own, marked as a proposal accepted (not a decision about that image by a person).
/// </summary>
/// <param name="Kept">Images proposed to keep.</param>
/// <param name="Discarded">Images proposed to discard.</param>
/// <param name="MinConfidence">The confidence they reached at least.</param>
internal sealed record AcceptProposals(string[] Kept, string[] Discarded, double MinConfidence) : Decision
{
    /// <inheritdoc />
    public override Decision Normalized() => this with
    {
        Kept = [.. Kept.Distinct(StringComparer.Ordinal)], Discarded = [.. Discarded.Distinct(StringComparer.Ordinal)],
    };

    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => "accept-proposals";

    /// <inheritdoc />
    public override string Describe() =>
        $"accept proposals at confidence ≥ {MinConfidence.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)}: keep {Kept.Length}, discard {Discarded.Length} images";
}

/// <summary>
/// Images added to the dump after the review began, placed by <see cref="NewImageAssignment"/>: each goes to its
/// cluster (and follows that cluster's verdict: inherited) or stays in <paramref name="NewGroup"/>, the group of those
/// near no cluster. Recorded by <see cref="Pipeline.ClusterJob"/> when a reviewed run's folder gained images.
/// </summary>
/// <param name="Paths">The new images (relative paths).</param>
/// <param name="Clusters">The cluster of each; <paramref name="NewGroup"/> for those near none.</param>
/// <param name="NewGroup">Label of the "new" group.</param>
internal sealed record AddImages(string[] Paths, int[] Clusters, int NewGroup) : Decision
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => KindName;

    /// <summary>The kind's name in the log (recorded by the cluster job, not by a person).</summary>
    public const string KindName = "add-images";

    /// <inheritdoc />
    public override string Describe()
    {
        int placed = Clusters.Count(c => c != NewGroup);
        return $"add {Paths.Length} new images: {placed} to the clusters they are near, {Paths.Length - placed} to new group {NewGroup}";
    }
}
