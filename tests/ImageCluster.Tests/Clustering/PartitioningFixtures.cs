using System.Text.Json;

namespace ImageCluster.Tests;

/// <summary>
/// The oracle cases for the partitioning algorithms: partitioning.json from scikit-learn
/// (tools/make_partitioning_fixtures.py) and partitioning_r.json from R (tools/make_partitioning_fixtures.R).
/// </summary>
internal static class PartitioningFixtures
{
    private static readonly Lazy<JsonElement> ScikitLearn = new(() => OracleData.Fixture("partitioning.json"));
    private static readonly Lazy<JsonElement> R = new(() => OracleData.Fixture("partitioning_r.json"));

    /// <summary>One section's cases: "kmeans", "minibatch" or "pca" (scikit-learn), or "pam" (R's cluster::pam).</summary>
    public static JsonElement[] Cases(string section) =>
        (section == "pam" ? R.Value.GetProperty("cases") : ScikitLearn.Value.GetProperty(section)).EnumerateArray().ToArray();

    /// <summary>The indices of a section's cases that satisfy <paramref name="filter"/>, as theory data.</summary>
    public static TheoryData<int> Indices(string section, Func<JsonElement, bool>? filter = null)
    {
        var data = new TheoryData<int>();
        var cases = Cases(section);
        for (int i = 0; i < cases.Length; i++)
            if (filter is null || filter(cases[i])) data.Add(i);
        return data;
    }
}
