namespace ImageCluster.Runs;

/// <summary>What the cluster job did with the review of the clustering it replaced (run.json <c>review</c>).</summary>
/// <param name="ImageVerdicts">Images still in the run whose own verdict (set one by one) was kept.</param>
/// <param name="FromClusterVerdicts">Images still in the run that had their cluster's verdict and now have it as their own.</param>
/// <param name="ClusterDecisions">
/// Live decisions that name clusters of the previous clustering, by kind: <c>keep</c>, <c>discard</c>, <c>undecided</c>
/// (their verdicts became image verdicts), <c>rename</c>, <c>merge</c>, <c>split</c>, <c>move</c> (dropped).
/// </param>
/// <param name="ImagesGone">Decided images that are no longer in the run; their verdicts were dropped.</param>
/// <param name="ReplacedReview">
/// The new clustering already had a review (it equals an earlier clustering of the run): the carried verdicts replace
/// it, and undoing the carry-over brings it back.
/// </param>
/// <param name="Message">The one line printed.</param>
public sealed record ReviewCarryOverInfo(int ImageVerdicts, int FromClusterVerdicts, IReadOnlyDictionary<string, int> ClusterDecisions,
    int ImagesGone, bool ReplacedReview, string Message);
