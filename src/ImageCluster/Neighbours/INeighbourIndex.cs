namespace ImageCluster.Neighbours;

/// <summary>
/// The k nearest rows of a feature matrix to a query: the one place every feature that needs neighbours (duplicates,
/// outliers, "find similar", density neighbourhoods at large N) asks. <see cref="ExactNeighbourIndex"/> scans every row;
/// <see cref="HnswNeighbourIndex"/> answers from a USearch HNSW graph at a measured recall. Keys are row numbers.
/// </summary>
internal interface INeighbourIndex : IDisposable
{
    /// <summary>Rows in the index.</summary>
    int Count { get; }

    /// <summary>Columns of every row.</summary>
    int Dimensions { get; }

    /// <summary>The metric of the distances returned.</summary>
    DistanceMetric Metric { get; }

    /// <summary>Most <see cref="Search"/> calls that may run at once.</summary>
    int SearchThreads { get; }

    /// <summary>
    /// Writes the rows nearest to <paramref name="query"/>, nearest first, into <paramref name="rows"/> and their distances
    /// into <paramref name="distances"/> (both of length k); returns how many were found (fewer than k only when the index
    /// holds fewer rows). Safe to call from up to <see cref="SearchThreads"/> threads at once.
    /// </summary>
    int Search(ReadOnlySpan<float> query, Span<int> rows, Span<float> distances);
}
