namespace ImageCluster.Embedding;

/// <summary>Turns preprocessed images into feature vectors. Instances are used from one thread at a time.</summary>
internal interface IEmbedder : IDisposable
{
    /// <summary>Preprocessing (size, resize rule, scaling) and output of the model.</summary>
    ModelDescriptor Descriptor { get; }

    /// <summary>Length of one embedding.</summary>
    int Dimension { get; }

    /// <summary>Embeds <paramref name="count"/> images stored back to back in <paramref name="inputs"/>.</summary>
    /// <remarks>Memory rather than a span, so ONNX Runtime can read the batch in place instead of a copy.</remarks>
    void Embed(ReadOnlyMemory<float> inputs, int count, Span<float> embeddings);
}

/// <summary>Pixel-to-tensor conversion as a model descriptor prescribes.</summary>
internal static class TensorPreprocessor
{
    /// <summary>
    /// Writes packed 8-bit RGB pixels (<c>Width × Height × 3</c>) into <paramref name="destination"/> in the
    /// descriptor's layout, channel order and scaling.
    /// </summary>
    public static void Fill(ModelDescriptor d, ReadOnlySpan<byte> rgb, Span<float> destination)
    {
        int plane = d.Width * d.Height;
        if (rgb.Length != plane * 3 || destination.Length != plane * 3)
            throw new ArgumentException($"Expected {plane * 3} values for a {d.Width}×{d.Height} RGB image.");
        bool bgr = d.ChannelOrder == "BGR";
        Span<float> mul = stackalloc float[3];
        Span<float> add = stackalloc float[3];
        for (int c = 0; c < 3; c++)
        {
            // (x·scale − mean)/std folded into one multiply-add per value.
            int modelChannel = bgr ? 2 - c : c;
            mul[c] = d.Scale / d.Std[modelChannel];
            add[c] = -d.Mean[modelChannel] / d.Std[modelChannel];
        }
        if (d.ChannelsLast)
        {
            for (int p = 0; p < plane; p++)
                for (int c = 0; c < 3; c++)
                {
                    int modelChannel = bgr ? 2 - c : c;
                    destination[p * 3 + modelChannel] = rgb[p * 3 + c] * mul[c] + add[c];
                }
        }
        else
        {
            for (int c = 0; c < 3; c++)
            {
                int modelChannel = bgr ? 2 - c : c;
                var target = destination.Slice(modelChannel * plane, plane);
                float m = mul[c], a = add[c];
                for (int p = 0; p < plane; p++) target[p] = rgb[p * 3 + c] * m + a;
            }
        }
    }
}
