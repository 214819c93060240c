namespace ImageCluster.Clustering;

/// <summary>
/// Minimum spanning tree of the mutual reachability graph, mrd(a, b) = max(core(a), core(b), d(a, b)), by Prim's
/// algorithm on the implicit dense graph: the distances from each newly added vertex to all vertices outside the tree
/// are computed on the fly, never stored. O(N²·d) time, O(N·d) memory (one copy of the rows).
/// </summary>
/// <remarks>
/// Follows R dbscan's <c>prims</c> (1.1-11) step for step so that ties resolve as in R: start at sample 0; a vertex's
/// best weight only improves on a strictly smaller weight; the next vertex is the one with the smallest best weight,
/// the lowest index among equals. Like R, edge i is recorded as (new vertex, vertex added just before it, weight):
/// in Prim's order the minimax distance between consecutive vertices equals the new vertex's weight, so this chain has
/// the same single-linkage hierarchy as the true tree edges.
/// A vertex is skipped without computing its distance when max(core(c), core(v)) already reaches its best weight,
/// which no distance could improve; the result is unchanged. The rows of the open vertices are kept packed in a copy,
/// so each step streams through memory instead of jumping between rows.
/// </remarks>
internal sealed unsafe class MutualReachabilityMst
{
    // Below this many open vertices a step is done on the calling thread; above, in chunks of this size.
    private const int Chunk = 4096;

    private readonly PointDistances _distances;
    private readonly int _d;
    private readonly float[] _rows;   // rows of the open vertices (aligned with _open)
    private readonly int[] _open;     // vertices not yet in the tree, in no particular order
    private readonly float[] _best;   // best weight of each open vertex
    private readonly float[] _core;   // core distance of each open vertex
    private readonly bool[] _zero;    // all-zero row under cosine
    private readonly (float Weight, int Vertex, int Position)[] _chunkBest;
    private readonly Action<int> _scanChunk;
    private readonly float[] _query;
    private int _openCount;
    private float _queryCore;
    private bool _queryZero;

    private MutualReachabilityMst(PointDistances distances, float[] core)
    {
        _distances = distances;
        int n = distances.Count;
        _d = distances.Dimensions;
        _rows = (float[])distances.Data.Clone();
        _open = new int[n];
        _best = new float[n];
        _core = (float[])core.Clone();
        _zero = (bool[])distances.Zero.Clone();
        _query = new float[_d];
        for (int i = 0; i < n; i++) (_open[i], _best[i]) = (i, float.PositiveInfinity);
        _openCount = n;
        _chunkBest = new (float, int, int)[(n + Chunk - 1) / Chunk];
        _scanChunk = chunk => _chunkBest[chunk] = Scan(chunk * Chunk, Math.Min(_openCount, (chunk + 1) * Chunk));
    }

    /// <summary>The N − 1 edges in Prim's order.</summary>
    public static (int[] From, int[] To, float[] Weight) Build(
        PointDistances distances, float[] core, ParallelOptions parallel, CancellationToken cancellation,
        IProgress<StageProgress>? progress = null)
    {
        int n = distances.Count;
        var from = new int[Math.Max(0, n - 1)];
        var to = new int[from.Length];
        var weight = new float[from.Length];
        if (n < 2) return (from, to, weight);

        var prim = new MutualReachabilityMst(distances, core);
        int current = 0;
        prim.TakeQuery(0); // vertex 0 starts the tree
        var meter = WorkMeter.Start(progress, "hdbscan spanning tree", n - 1, "edges");
        for (int edge = 0; edge < n - 1; edge++)
        {
            if ((edge & 255) == 0) cancellation.ThrowIfCancellationRequested();
            meter.Add(1);
            var (w, next, position) = prim.Step(parallel);
            (from[edge], to[edge], weight[edge]) = (next, current, w);
            prim.TakeQuery(position);
            current = next;
        }
        meter.Finish();
        return (from, to, weight);
    }

    private (float Weight, int Vertex, int Position) Step(ParallelOptions parallel)
    {
        int chunks = (_openCount + Chunk - 1) / Chunk;
        if (chunks <= 1 || parallel.MaxDegreeOfParallelism == 1) return Scan(0, _openCount);
        Parallel.For(0, chunks, parallel, _scanChunk);
        var best = _chunkBest[0];
        for (int c = 1; c < chunks; c++)
            if (Before(_chunkBest[c].Weight, _chunkBest[c].Vertex, best.Weight, best.Vertex)) best = _chunkBest[c];
        return best;
    }

    private (float Weight, int Vertex, int Position) Scan(int start, int end)
    {
        // Distances only where the core distances leave room for improvement, four at a time; the minimum is taken as
        // each vertex's weight becomes final for this step (the order does not matter: ties go by vertex index).
        var min = (Weight: float.PositiveInfinity, Vertex: int.MaxValue, Position: -1);
        int* pending = stackalloc int[4];
        float* squared = stackalloc float[4];
        int count = 0;
        fixed (float* rows = _rows, best = _best, core = _core)
        fixed (int* open = _open)
        fixed (float* q = _query)
        {
            for (int p = start; p < end; p++)
            {
                if (Math.Max(_queryCore, core[p]) >= best[p])
                {
                    if (Before(best[p], open[p], min.Weight, min.Vertex)) min = (best[p], open[p], p);
                    continue;
                }
                pending[count++] = p;
                if (count < 4) continue;
                PointDistances.Squared1x4(q, Row(rows, pending[0]), Row(rows, pending[1]), Row(rows, pending[2]),
                    Row(rows, pending[3]), _d, squared);
                for (int j = 0; j < 4; j++) Relax(pending[j], squared[j], ref min);
                count = 0;
            }
            for (int j = 0; j < count; j++) Relax(pending[j], PointDistances.Squared(q, Row(rows, pending[j]), _d), ref min);
        }
        return min;
    }

    private float* Row(float* rows, int position) => rows + (long)position * _d;

    private void Relax(int p, float squared, ref (float Weight, int Vertex, int Position) min)
    {
        float distance = _distances.FromKey(PointDistances.Key(squared, _queryZero, _zero[p]));
        float mrd = Math.Max(Math.Max(_queryCore, _core[p]), distance);
        if (mrd < _best[p]) _best[p] = mrd;
        if (Before(_best[p], _open[p], min.Weight, min.Vertex)) min = (_best[p], _open[p], p);
    }

    // R scans vertices in index order and keeps the first strict minimum: the lowest index wins ties.
    private static bool Before(float w, int v, float bestW, int bestV) => w < bestW || (w == bestW && v < bestV);

    // Makes the open vertex at `position` the one the next step measures from, and closes it.
    private void TakeQuery(int position)
    {
        _rows.AsSpan(position * _d, _d).CopyTo(_query);
        (_queryCore, _queryZero) = (_core[position], _zero[position]);
        int last = --_openCount;
        _open[position] = _open[last];
        _best[position] = _best[last];
        _core[position] = _core[last];
        _zero[position] = _zero[last];
        _rows.AsSpan(last * _d, _d).CopyTo(_rows.AsSpan(position * _d, _d));
    }
}
