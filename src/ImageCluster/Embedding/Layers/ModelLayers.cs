using Microsoft.ML.OnnxRuntime;


namespace ImageCluster.Embedding;

/// <summary>One candidate feature layer of a model.</summary>
/// <param name="Name">The tensor's name: what a layer selection names.</param>
/// <param name="Node">The node producing it (also accepted as a layer name).</param>
/// <param name="OpType">That node's operator.</param>
/// <param name="ConvIndex">1-based position among the Conv / QLinearConv nodes in graph order; null for other operators.</param>
/// <param name="Shape">Shape of one image's tensor (batch axis removed).</param>
/// <param name="Layout">Where the channel axis of a 3-axis map is.</param>
/// <param name="Dequantized">An 8-bit tensor read through a DequantizeLinear.</param>
internal sealed record LayerInfo(string Name, string Node, string OpType, int? ConvIndex, IReadOnlyList<long> Shape, TensorLayout Layout, bool Dequantized);

/// <summary>The candidate feature layers of a model, in graph order.</summary>
/// <param name="Model">Catalogue name.</param>
/// <param name="File">The model file.</param>
/// <param name="Layers">Convolution, pooling, dense (Gemm/MatMul), residual-sum (Add) and activation outputs.</param>
internal sealed record ModelLayerList(string Model, string File, IReadOnlyList<LayerInfo> Layers)
{
    /// <summary>The layer of the <paramref name="convIndex"/>-th convolution (1-based).</summary>
    /// <exception cref="ImageClusterException">No such convolution.</exception>
    public LayerInfo ByConvIndex(int convIndex)
    {
        int count = Layers.Count(l => l.ConvIndex is not null);
        return Layers.FirstOrDefault(l => l.ConvIndex == convIndex)
            ?? throw new ArgumentException($"ConvIndex must be between 1 and {count} for {Model} (it has {count} convolutions), not {convIndex}", "ConvIndex");
    }
}

/// <summary>Lists the layers of a model worth reading as features, with their shapes.</summary>
internal static class ModelLayers
{
    private static readonly HashSet<string> Convolutions = ["Conv", "QLinearConv"];

    private static readonly HashSet<string> Candidates =
    [
        "Conv", "QLinearConv",
        "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "QLinearGlobalAveragePool", "QLinearAveragePool",
        "Gemm", "MatMul", "QLinearMatMul",
        "Add", "QLinearAdd",
        "Relu", "Clip",
    ];

    /// <summary>
    /// Every convolution, pooling, Gemm/MatMul, Add and Relu/Clip output of the model, with its shape measured by running
    /// one blank image with all of them exposed (shape inference alone leaves many intermediate shapes unknown).
    /// </summary>
    /// <exception cref="ImageClusterException">The raw-pixel baseline, which has no layers.</exception>
    public static ModelLayerList List(ResolvedModel model)
    {
        if (model.Path is null) throw new ImageClusterException($"{model.Descriptor.Name} is not a neural network and has no layers");
        var editor = new OnnxGraphEditor(File.ReadAllBytes(model.Path), model.Path);
        var exposed = new List<(ExposedLayer Layer, int? ConvIndex)>();
        int convolutions = 0;
        foreach (var node in editor.Nodes.ToList())
        {
            if (!Candidates.Contains(node.OpType) || node.Output.Count == 0) continue;
            int? convIndex = Convolutions.Contains(node.OpType) ? ++convolutions : null;
            exposed.Add((editor.Expose(node.Output[0]), convIndex));
        }

        var d = model.Descriptor;
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_BASIC, IntraOpNumThreads = 1 };
        using var session = new InferenceSession(editor.ToBytes(), options);
        long[] shape = d.ChannelsLast ? [1, d.Height, d.Width, 3] : [1, 3, d.Height, d.Width];
        using var input = OrtValue.CreateTensorValueFromMemory(new float[d.Width * d.Height * 3], shape);
        var names = exposed.Select(e => e.Layer.Output).Distinct().ToList();
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, [d.Input], [input], names);
        var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal);
        for (int i = 0; i < names.Count; i++)
        {
            long[] dims = results[i].GetTensorTypeAndShape().Shape;
            shapes[names[i]] = dims.Length > 1 ? dims[1..] : dims;
        }
        var layers = exposed.Select(e => new LayerInfo(e.Layer.Layer, e.Layer.Node, e.Layer.OpType, e.ConvIndex, shapes[e.Layer.Output],
            e.Layer.Layout, e.Layer.Dequantized)).ToList();
        return new ModelLayerList(model.Descriptor.Name, model.Path, layers);
    }
}
