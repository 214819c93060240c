namespace ImageCluster;

/// <summary>Progress of a long stage: <paramref name="Done"/> of <paramref name="Total"/> <paramref name="Unit"/>.</summary>
/// <param name="Stage">What is running, e.g. <c>embed</c> or <c>dbscan neighbours</c>.</param>
/// <param name="Done">Items finished so far.</param>
/// <param name="Total">Items in the stage.</param>
/// <param name="Failed">Items that failed (unreadable images); 0 where nothing can fail.</param>
/// <param name="Unit">What an item is, for display: <c>images</c>, <c>runs</c>, <c>steps</c>, …</param>
public sealed record StageProgress(string Stage, int Done, int Total, int Failed, string Unit = "images");
