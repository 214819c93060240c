using ImageCluster;

namespace ImageCluster.Tests;

internal static class TestData
{
    /// <summary>Gaussian blobs: centres uniform in [−10, 10]^d, unit noise; sample i belongs to blob i mod k.</summary>
    public static FeatureMatrix Blobs(int n, int d, int k, int seed, out int[] truth, double noise = 1.0)
    {
        var random = new Random(seed);
        var centres = new double[k * d];
        for (int i = 0; i < centres.Length; i++) centres[i] = random.NextDouble() * 20 - 10;
        var x = new FeatureMatrix(n, d);
        truth = new int[n];
        for (int i = 0; i < n; i++)
        {
            truth[i] = i % k;
            var row = x.Row(i);
            for (int f = 0; f < d; f++) row[f] = (float)(centres[truth[i] * d + f] + noise * Gaussian(random));
        }
        return x;
    }

    public static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    public static FeatureMatrix Random(int n, int d, int seed)
    {
        var random = new Random(seed);
        var x = new FeatureMatrix(n, d);
        for (int i = 0; i < x.Data.Length; i++) x.Data[i] = (float)Gaussian(random);
        return x;
    }

    /// <summary>
    /// temp/in with four photos of the committed sample (two cats, two rockets: two clusters for any model), for tests that
    /// add a hostile or damaged file beside them.
    /// </summary>
    public static string FourPhotos(TempFolder temp)
    {
        string input = temp.Combine("in");
        Directory.CreateDirectory(input);
        foreach (var name in new[] { "photo_cat_01.jpg", "photo_cat_02.jpg", "photo_rocket_01.jpg", "photo_rocket_02.jpg" })
            File.Copy(Path.Combine(SharedData.Sample, name), Path.Combine(input, name));
        return input;
    }
}
