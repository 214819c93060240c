using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ImageCluster.Embedding;

/// <summary>
/// Checks that a loaded ONNX graph has the input and output its descriptor promises, so a wrong file or a wrong
/// descriptor fails at load time with one clear line instead of a shape error (or silently wrong features) mid-run.
/// </summary>
internal static class ModelSignature
{
    /// <summary>
    /// Compares the graph's metadata with <paramref name="descriptor"/>: input name, float element type, rank 4,
    /// 3 channels on the axis the layout names, the input size and batch where the graph fixes them, the embedding
    /// output and its length per image (and the logits output when the descriptor names one).
    /// </summary>
    /// <param name="path">The model file, named in every message.</param>
    /// <param name="descriptor">What the catalogue or the user's spec says.</param>
    /// <param name="inputs">The session's input metadata.</param>
    /// <param name="outputs">The session's output metadata.</param>
    /// <returns>The embedding length per image (the descriptor's, or the graph's when the descriptor leaves it 0).</returns>
    /// <exception cref="ModelNotFoundException">Something does not match; the message names the file, expected and found.</exception>
    public static int Check(string path, ModelDescriptor descriptor,
        IReadOnlyDictionary<string, NodeMetadata> inputs, IReadOnlyDictionary<string, NodeMetadata> outputs)
    {
        string Mismatch(string what) => $"{path} does not match model {descriptor.Name}: {what}";

        if (!inputs.TryGetValue(descriptor.Input, out var input))
            throw new ModelNotFoundException(Mismatch($"expected an input named '{descriptor.Input}', found {Names(inputs)}"));
        if (input.IsTensor && input.ElementDataType != TensorElementType.Float)
            throw new ModelNotFoundException(Mismatch($"input '{descriptor.Input}' holds {input.ElementDataType}, expected float32 pixels"));
        int[] shape = input.Dimensions;
        string layout = descriptor.ChannelsLast ? "[N,H,W,3] (NHWC)" : "[N,3,H,W] (NCHW)";
        if (shape.Length != 4)
            throw new ModelNotFoundException(Mismatch($"input '{descriptor.Input}' has shape {Format(input)}, expected rank 4 {layout}"));
        var (channelAxis, heightAxis, widthAxis) = descriptor.ChannelsLast ? (3, 1, 2) : (1, 2, 3);
        if (shape[channelAxis] > 0 && shape[channelAxis] != 3)
            throw new ModelNotFoundException(Mismatch(
                $"input '{descriptor.Input}' has shape {Format(input)}, expected 3 channels at axis {channelAxis} for {layout}" +
                (shape[descriptor.ChannelsLast ? 1 : 3] == 3 ? $"; the file looks {(descriptor.ChannelsLast ? "NCHW" : "NHWC")}, so the layout in the descriptor is probably wrong" : "")));
        if ((shape[heightAxis] > 0 && shape[heightAxis] != descriptor.Height) || (shape[widthAxis] > 0 && shape[widthAxis] != descriptor.Width))
            throw new ModelNotFoundException(Mismatch(
                $"input '{descriptor.Input}' has shape {Format(input)}, the descriptor says {descriptor.Width}×{descriptor.Height} pixels (width×height)"));
        if (descriptor.DynamicBatch && shape[0] > 0)
            throw new ModelNotFoundException(Mismatch(
                $"input '{descriptor.Input}' has a fixed batch of {shape[0]} ({Format(input)}), but the descriptor says dynamicBatch: true; set it to false"));

        if (!outputs.TryGetValue(descriptor.EmbeddingOutput, out var output))
            throw new ModelNotFoundException(Mismatch($"expected an embedding output named '{descriptor.EmbeddingOutput}', found {Names(outputs)}"));
        if (descriptor.LogitsOutput is { } logits && !outputs.ContainsKey(logits))
            throw new ModelNotFoundException(Mismatch($"expected a logits output named '{logits}', found {Names(outputs)}"));
        var perImage = output.Dimensions.Skip(1).ToArray();
        // An output added at load time (an intermediate embedding tensor) may carry no shape: its length is checked per batch.
        bool fixedLength = perImage.Length > 0 && perImage.All(d => d > 0);
        long features = perImage.Aggregate(1L, (a, b) => a * Math.Max(b, 1));
        int dimension = descriptor.Dimension > 0 ? descriptor.Dimension : (int)features;
        if (fixedLength && features != dimension)
            throw new ModelNotFoundException(Mismatch(
                $"output '{descriptor.EmbeddingOutput}' has shape {Format(output)} = {features} values per image, the descriptor says dimension {dimension}"));
        return dimension;
    }

    private static string Names(IReadOnlyDictionary<string, NodeMetadata> nodes) =>
        nodes.Count == 0 ? "none" : string.Join(", ", nodes.Select(n => $"'{n.Key}' {Format(n.Value)}"));

    private static string Format(NodeMetadata node) =>
        "[" + string.Join(",", node.Dimensions.Select((d, i) =>
            d > 0 ? d.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : node.SymbolicDimensions is { } names && i < names.Length && names[i].Length > 0 ? names[i] : "?")) + "]";
}
