using System.Text.Json;

namespace ImageCluster.Tests;

/// <summary>
/// The committed oracle data sets (tools/make_oracle_data.py) and the oracles' answers on them
/// (tools/make_*_fixtures.py with scikit-learn, tools/*.R with R).
/// </summary>
internal static class OracleData
{
    private static readonly Lazy<JsonElement> Sets = new(() => Fixture("oracle_data.json").GetProperty("sets"));

    /// <summary>Names of every committed data set.</summary>
    public static IEnumerable<string> Names => Sets.Value.EnumerateObject().Select(p => p.Name);

    /// <summary>A data set's samples and its ground-truth labels.</summary>
    public static (FeatureMatrix X, int[] Y) Set(string name)
    {
        var set = Sets.Value.GetProperty(name);
        return (Matrix(set.GetProperty("x")), set.GetProperty("y").EnumerateArray().Select(v => v.GetInt32()).ToArray());
    }

    /// <summary>Reads a JSON file from tests/ImageCluster.Tests/Fixtures.</summary>
    public static JsonElement Fixture(string fileName) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(SharedData.RepoRoot, "tests", "ImageCluster.Tests", "Fixtures", fileName))).RootElement;

    /// <summary>A JSON array of equally long number arrays as a matrix.</summary>
    public static FeatureMatrix Matrix(JsonElement rows) =>
        FeatureMatrix.FromRows(rows.EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToList());

    /// <summary>A JSON array of integers.</summary>
    public static int[] Ints(JsonElement values) => values.EnumerateArray().Select(v => v.GetInt32()).ToArray();

    /// <summary>A JSON array of numbers.</summary>
    public static double[] Doubles(JsonElement values) => values.EnumerateArray().Select(v => v.GetDouble()).ToArray();
}
