namespace ImageCluster.Embedding;

/// <summary>How a 4-D feature map (image × channels × height × width) becomes one vector per image.</summary>
public enum LayerPool
{
    /// <summary>Mean of every channel over the spatial positions: one value per channel.</summary>
    Avg,

    /// <summary>Maximum of every channel over the spatial positions: one value per channel.</summary>
    Max,

    /// <summary>Every value of the map in the tensor's memory order (C, H, W for NCHW): channels × height × width values.</summary>
    Flatten,
}

/// <summary>An intermediate tensor of the model used as the features instead of its embedding output.</summary>
/// <param name="Name">Name of the tensor (a node output) or of the node producing it.</param>
/// <param name="Pool">How a 4-D map is reduced to a vector; ignored for 2-D outputs.</param>
public sealed record LayerSelection(string Name, LayerPool Pool = LayerPool.Avg)
{
    /// <summary>The pool as written on the command line and in outputs (<c>avg</c>, <c>max</c>, <c>flatten</c>).</summary>
    public string PoolName => Pool.ToString().ToLowerInvariant();

    /// <summary>Parses <c>avg</c>, <c>max</c> or <c>flatten</c>.</summary>
    /// <exception cref="ImageClusterException">Any other text.</exception>
    public static LayerPool ParsePool(string text) => text.Trim().ToLowerInvariant() switch
    {
        "avg" or "mean" => LayerPool.Avg,
        "max" => LayerPool.Max,
        "flatten" => LayerPool.Flatten,
        _ => throw new ArgumentException($"Pool takes avg, max or flatten, not '{text}'", "Pool"),
    };
}
