namespace ImageCluster.Clustering;

/// <summary>
/// The first few principal components by block power iteration on the centred data. <see cref="Clustering.Pca"/> solves the
/// full D × D eigenproblem (seconds to minutes for D = 1280), which a 2-D map does not need: this costs
/// O(iterations · N · D · components).
/// </summary>
internal static class TopComponents
{
    /// <summary>Scores of every row on the first <paramref name="count"/> components, and the share of variance each explains.</summary>
    public static (double[][] Scores, double[] ExplainedRatio) Project(FeatureMatrix x, int count, int seed, int iterations = 30)
    {
        int n = x.Rows, d = x.Columns;
        var mean = new double[d];
        for (int i = 0; i < n; i++) { var r = x.ReadRow(i); for (int j = 0; j < d; j++) mean[j] += r[j]; }
        for (int j = 0; j < d; j++) mean[j] /= n;
        double total = 0;
        for (int i = 0; i < n; i++) { var r = x.ReadRow(i); for (int j = 0; j < d; j++) { double c0 = r[j] - mean[j]; total += c0 * c0; } }

        var rng = new Random(seed);
        var v = new double[count][];
        for (int c = 0; c < count; c++) { v[c] = new double[d]; for (int j = 0; j < d; j++) v[c][j] = rng.NextDouble() - 0.5; }
        Orthonormalise(v);
        var eigen = new double[count];
        for (int it = 0; it < iterations; it++)
        {
            // w = Xcᵀ Xc v, accumulated per row so the centred matrix is never stored.
            var w = new double[count][];
            for (int c = 0; c < count; c++) w[c] = new double[d];
            var s = new double[count];
            for (int i = 0; i < n; i++)
            {
                var r = x.ReadRow(i);
                for (int c = 0; c < count; c++)
                {
                    double dot = 0;
                    for (int j = 0; j < d; j++) dot += (r[j] - mean[j]) * v[c][j];
                    s[c] = dot;
                }
                for (int c = 0; c < count; c++)
                    for (int j = 0; j < d; j++) w[c][j] += s[c] * (r[j] - mean[j]);
            }
            for (int c = 0; c < count; c++) eigen[c] = Dot(w[c], v[c]);
            v = w;
            Orthonormalise(v);
        }
        var scores = new double[count][];
        for (int c = 0; c < count; c++)
        {
            scores[c] = new double[n];
            for (int i = 0; i < n; i++) { var r = x.ReadRow(i); double dot = 0; for (int j = 0; j < d; j++) dot += (r[j] - mean[j]) * v[c][j]; scores[c][i] = dot; }
            // Sign convention of scikit-learn's svd_flip: the largest-magnitude loading is positive.
            int big = 0;
            for (int j = 1; j < d; j++) if (Math.Abs(v[c][j]) > Math.Abs(v[c][big])) big = j;
            if (v[c][big] < 0) for (int i = 0; i < n; i++) scores[c][i] = -scores[c][i];
        }
        return (scores, eigen.Select(e => total > 0 ? e / total : 0).ToArray());
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int j = 0; j < a.Length; j++) s += a[j] * b[j];
        return s;
    }

    private static void Orthonormalise(double[][] v)
    {
        for (int c = 0; c < v.Length; c++)
        {
            for (int p = 0; p < c; p++)
            {
                double dot = Dot(v[c], v[p]);
                for (int j = 0; j < v[c].Length; j++) v[c][j] -= dot * v[p][j];
            }
            double norm = Math.Sqrt(Dot(v[c], v[c]));
            if (norm > 0) for (int j = 0; j < v[c].Length; j++) v[c][j] /= norm;
        }
    }
}
