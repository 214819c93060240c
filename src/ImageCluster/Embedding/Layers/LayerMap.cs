namespace ImageCluster.Embedding;

/// <summary>One image's feature map at a layer, unpooled.</summary>
/// <param name="Layer">The tensor's name.</param>
/// <param name="OpType">The operator producing it.</param>
/// <param name="Shape">The shape without the batch axis, e.g. (32, 112, 112).</param>
/// <param name="Layout">Where the channel axis of a 3-axis map is.</param>
/// <param name="Values">The values in <paramref name="Layout"/> order (float; quantized layers dequantized).</param>
internal sealed record LayerMap(string Layer, string OpType, IReadOnlyList<long> Shape, TensorLayout Layout, float[] Values)
{
    /// <summary>Number of channels of a 3-axis map; 1 for any other shape.</summary>
    public int Channels => Shape.Count == 3 ? (int)(Layout == TensorLayout.Nchw ? Shape[0] : Shape[2]) : 1;

    /// <summary>Rows of a 3-axis map; 1 for any other shape.</summary>
    public int Height => Shape.Count == 3 ? (int)(Layout == TensorLayout.Nchw ? Shape[1] : Shape[0]) : 1;

    /// <summary>Columns of a 3-axis map; the whole length for any other shape.</summary>
    public int Width => Shape.Count == 3 ? (int)(Layout == TensorLayout.Nchw ? Shape[2] : Shape[1]) : Values.Length;

    /// <summary>The value of channel <paramref name="c"/> at row <paramref name="y"/>, column <paramref name="x"/>.</summary>
    public float At(int c, int y, int x) => Layout == TensorLayout.Nchw
        ? Values[(c * Height + y) * Width + x]
        : Values[(y * Width + x) * Channels + c];
}
