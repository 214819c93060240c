namespace ImageCluster.Embedding;

/// <summary>Memory order of a 4-D feature map.</summary>
internal enum TensorLayout
{
    /// <summary>Channels first (image, channel, row, column): what every ONNX convolution produces.</summary>
    Nchw,

    /// <summary>Channels last (image, row, column, channel): a map after a Transpose back to Keras/TensorFlow order.</summary>
    Nhwc,
}

/// <summary>Reduces one image's feature map to a vector: global average or max per channel, or the whole map.</summary>
internal static class FeaturePooling
{
    /// <summary>Length of the vector <see cref="Pool"/> writes for a map of <paramref name="imageShape"/> (batch axis removed).</summary>
    public static int Dimension(ReadOnlySpan<long> imageShape, TensorLayout layout, LayerPool pool)
    {
        long total = 1;
        foreach (long d in imageShape) total *= d;
        if (imageShape.Length != 3 || pool == LayerPool.Flatten) return checked((int)total);
        return (int)(layout == TensorLayout.Nchw ? imageShape[0] : imageShape[2]);
    }

    /// <summary>
    /// Pools one image's map. A map of other than three axes (e.g. a [1000] logit vector or a [C] pooled output) is copied
    /// as it is, whatever <paramref name="pool"/> says.
    /// </summary>
    /// <param name="map">The image's values in <paramref name="layout"/> order.</param>
    /// <param name="imageShape">The map's shape without the batch axis: (C, H, W) or (H, W, C) for 3 axes.</param>
    /// <param name="layout">Where the channel axis is.</param>
    /// <param name="pool">The reduction.</param>
    /// <param name="destination">Receives <see cref="Dimension"/> values.</param>
    public static void Pool(ReadOnlySpan<float> map, ReadOnlySpan<long> imageShape, TensorLayout layout, LayerPool pool, Span<float> destination)
    {
        int dimension = Dimension(imageShape, layout, pool);
        if (destination.Length < dimension) throw new ArgumentException($"Destination holds {destination.Length} values, the pooled map {dimension}.");
        if (imageShape.Length != 3 || pool == LayerPool.Flatten)
        {
            map[..dimension].CopyTo(destination);
            return;
        }
        int channels = dimension;
        int positions = map.Length / channels;
        bool max = pool == LayerPool.Max;
        if (layout == TensorLayout.Nchw)
        {
            for (int c = 0; c < channels; c++)
            {
                var plane = map.Slice(c * positions, positions);
                destination[c] = max ? System.Numerics.Tensors.TensorPrimitives.Max(plane)
                    : System.Numerics.Tensors.TensorPrimitives.Sum(plane) / positions;
            }
            return;
        }
        // Channels last: one pass over the positions, each updating every channel.
        var acc = destination[..channels];
        map[..channels].CopyTo(acc);
        for (int p = 1; p < positions; p++)
        {
            var row = map.Slice(p * channels, channels);
            if (max) System.Numerics.Tensors.TensorPrimitives.Max(acc, row, acc);
            else System.Numerics.Tensors.TensorPrimitives.Add(acc, row, acc);
        }
        if (!max) System.Numerics.Tensors.TensorPrimitives.Divide(acc, positions, acc);
    }
}
