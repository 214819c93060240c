namespace ImageCluster.Runs;

/// <summary>
/// What the cluster job did when a reviewed run's folder had only gained images (run.json <c>added</c>): the images already
/// reviewed kept their clusters and decisions, and only the new ones were embedded and placed.
/// </summary>
/// <param name="Added">New images.</param>
/// <param name="Placed">Of which went to the existing cluster they are near (within that cluster's own reach).</param>
/// <param name="NewGroup">Label of the group of the others (near no cluster), named "new" for the reviewer.</param>
/// <param name="InNewGroup">New images in that group.</param>
/// <param name="InheritedKeep">New images that follow a kept cluster.</param>
/// <param name="InheritedDiscard">New images that follow a discarded cluster.</param>
/// <param name="Rule">How a cluster's reach was learnt.</param>
/// <param name="Message">The one line printed.</param>
public sealed record AddedImagesInfo(int Added, int Placed, int NewGroup, int InNewGroup, int InheritedKeep, int InheritedDiscard, string Rule, string Message);
