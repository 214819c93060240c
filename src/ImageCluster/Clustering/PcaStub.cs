namespace ImageCluster.Clustering;
#pragma warning disable CS1591 // temporary until the PCA lands
public sealed class Pca(PcaOptions options) { public PcaModel Fit(FeatureMatrix x) => throw new NotImplementedException(options.ToString()); }
public sealed class PcaModel { public int NComponents => 0; public double[] ExplainedVarianceRatio => []; public FeatureMatrix Transform(FeatureMatrix x) => x; }
